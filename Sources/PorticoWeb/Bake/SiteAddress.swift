import Foundation
import PorticoCore

/// How the bake addresses the site through the request path, and which links lead into it.
///
/// Requests carry the site's first hostname, exactly as a visitor's would; a site without a
/// hostname is reached through the local `/_site/<id>` prefix instead, which the views then
/// put in front of every link, so it is stripped again here.
struct SiteAddress {
    /// The Host of every request.
    let host: String
    /// "" or "/_site/<id>".
    let basePath: String
    /// Links to any of these hosts are links into the site.
    let hostnames: Set<String>

    init(site: Site) {
        if let first = site.hostnames.first {
            host = first
            basePath = ""
        } else {
            host = "localhost"
            basePath = "/_site/\(site.id.rawValue)"
        }
        hostnames = Set(site.hostnames.map { $0.lowercased() } + [host])
    }

    /// The absolute URLs the server writes (sitemap, feed, canonical links) start with this.
    var serverRoot: String { "http://" + host + basePath }

    enum Target: Equatable {
        /// A fragment of the same page, another site, another scheme, or not a URL: kept.
        case outside
        /// A path of the site (nil when the server would refuse it), with its fragment.
        case inside(SitePath?, fragment: String?)
    }

    /// Where `reference`, written in the page served at `page`, leads: resolved against the
    /// page's URL as a browser would (so `news` on `/about` is `/news`, as on the server).
    func target(of reference: String, on page: SitePath) -> Target {
        let trimmed = reference.trimmingSpaces
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#"),
              let base = URL(string: serverRoot + page.encoded),
              let url = URL(string: trimmed, relativeTo: base)?.absoluteURL.standardized,
              let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host?.lowercased(), hostnames.contains(host)
        else { return .outside }
        var path = components.percentEncodedPath
        if !basePath.isEmpty {
            // Without a hostname the site lives below its prefix; the rest of the host is the
            // platform, of which only the stylesheet (served on any host, unprefixed) is baked.
            if path == basePath || path.hasPrefix(basePath + "/") {
                path.removeFirst(basePath.count)
            } else if !path.hasPrefix("/_theme/") {
                return .inside(nil, fragment: nil)
            }
        }
        return .inside(SitePath(encoded: path.isEmpty ? "/" : path), fragment: components.percentEncodedFragment)
    }
}
