import Foundation
import PorticoCore

/// The public root URL of a bake (`https://www.example.org/` or `https://host/prefix/`):
/// what the sitemap, the feed, robots.txt and canonical links name, and the path the links of
/// `404.html` start with (nginx shows that page at any depth, so its links cannot be relative).
struct PublicBase {
    /// Always ends with `/`.
    let root: String

    init(_ url: URL?, site: Site) throws(BakeError) {
        let text = url?.absoluteString ?? "http://\(site.hostnames.first ?? "localhost")/"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.percentEncodedQuery == nil, components.percentEncodedFragment == nil
        else { throw .invalidBaseURL(text) }
        root = text.hasSuffix("/") ? text : text + "/"
    }

    /// The URL path of the root: `/` or `/prefix/`.
    var path: String {
        BakeMarker(site: "", baked: "", baseURL: root).basePath
    }

    /// The public URL of a baked file; pages by their folder.
    func url(of file: BakeFile) -> String { root + file.publicPath }

    /// The root-absolute link to a baked file, for `404.html`.
    func absolutePath(of file: BakeFile) -> String { path + file.segments.map(BakeFile.encode).joined(separator: "/") }
}
