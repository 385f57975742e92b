import PorticoCore

/// A path of the site as the router sees it (after any `/_site/<id>` prefix), as decoded
/// segments: `/news` and `/news/` are the same page, as they are for the server.
struct SitePath: Hashable, Comparable, CustomStringConvertible {
    let segments: [String]

    static let root = SitePath(segments: [])
    static let robots = SitePath(segments: ["robots.txt"])
    static let sitemap = SitePath(segments: ["sitemap.xml"])
    static let feed = SitePath(segments: ["feed.xml"])
    /// A path no item can have (slugs never start with `_`) and no route answers: the themed 404.
    static let notFound = SitePath(segments: ["_not-found"])

    init(segments: [String]) {
        self.segments = segments
    }

    /// Parses a raw URL path; nil when the server would refuse it (`..`, encoded slashes…).
    init?(encoded path: some StringProtocol) {
        guard let segments = try? ContentPath.segments(of: path) else { return nil }
        self.segments = segments
    }

    /// The path to request.
    var encoded: String { "/" + segments.map(BakeFile.encode).joined(separator: "/") }
    var description: String { "/" + segments.joined(separator: "/") }

    static func < (lhs: SitePath, rhs: SitePath) -> Bool { lhs.description < rhs.description }

    /// What the bake makes of a path.
    enum Kind: Equatable {
        /// An item page: `<path>/index.html`.
        case page(BakeFile)
        /// The stylesheet or a blob, at its own path.
        case asset(BakeFile)
        /// `robots.txt`, `sitemap.xml`, `feed.xml`: fetched first, rewritten to public URLs.
        case special(BakeFile)
        /// Editor, login, search, other platform paths, and pages whose folder would collide
        /// with a baked file (a slug `index.html`): not baked, linked to `404.html`.
        case notBaked
    }

    var kind: Kind {
        guard let first = segments.first else { return .page(.home) }
        if segments.count == 1, ["robots.txt", "sitemap.xml", "feed.xml"].contains(first) { return .special(BakeFile(segments)) }
        if first.hasPrefix("_") {
            if segments.count == 3, first == "_theme", segments[2] == "style.css" { return .asset(BakeFile(segments)) }
            if segments.count == 3, first == "_blob", BlobReference.isValidDigest(segments[1]) { return .asset(BakeFile(segments)) }
            return .notBaked
        }
        if segments.last == "index.html" || segments == BakeFile.notFound.segments || segments.contains(where: { $0.hasPrefix(".") }) {
            return .notBaked
        }
        return .page(BakeFile(segments + ["index.html"]))
    }
}
