/// What a request was for, as the `kind` label of the request metrics.
///
/// A small fixed set on purpose: every label value is a time series, so paths and sites never
/// become labels. The raw values are ordinals, so that metric handles can live in an array.
enum RequestKind: Int, CaseIterable, Sendable {
    case page, blob, asset, feed, editor, login, monitor, health, metrics, other

    var label: String {
        switch self {
        case .page: "page"
        case .blob: "blob"
        case .asset: "asset"
        case .feed: "feed"
        case .editor: "editor"
        case .login: "login"
        case .monitor: "monitor"
        case .health: "health"
        case .metrics: "metrics"
        case .other: "other"
        }
    }

    /// Classifies a request target as the client sent it: the query is ignored and a
    /// `/_site/<id>` prefix skipped, so that both ways of addressing a site count alike.
    /// Only string prefixes are compared: this runs for every request, cache hits included.
    init(target: String) {
        var path = target[...]
        if let query = path.utf8.firstIndex(of: UInt8(ascii: "?")) { path = path[..<query] }
        if path.hasPrefix("/_site/") {
            let rest = path.dropFirst("/_site/".count)
            path = rest.utf8.firstIndex(of: UInt8(ascii: "/")).map { rest[$0...] } ?? "/"
        }
        self = Self.classify(path)
    }

    private static func classify(_ path: Substring) -> RequestKind {
        if path.hasPrefix("/_") {
            if path.hasPrefix("/_blob/") { return .blob }
            if path.hasPrefix("/_theme/") { return .asset }
            if path.hasPrefix("/_edit") { return .editor }
            if path.hasPrefix("/_login") || path.hasPrefix("/_logout") { return .login }
            if path.hasPrefix("/_monitor") { return .monitor }
            if path.hasPrefix("/_health") { return .health }
            // An unknown reserved path, or `/_site` without a site.
            return .other
        }
        switch path {
        case "/metrics": return .metrics
        case "/robots.txt": return .asset
        case "/feed.xml", "/sitemap.xml": return .feed
        default: return path.hasPrefix("/") ? .page : .other
        }
    }
}

/// The `status` label of the request metrics: "1xx" to "5xx".
enum StatusClass {
    static let labels = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    /// The index of `code`'s class in `labels` (anything out of range counts as 1xx or 5xx).
    static func ordinal(_ code: Int) -> Int {
        min(max(code / 100, 1), 5) - 1
    }
}
