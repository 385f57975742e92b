import Foundation

/// How the node's response cache and render admission behave.
public struct CacheConfiguration: Sendable {
    /// Turn the response cache off (benchmarks of the bare render path, debugging).
    public var enabled: Bool
    /// The most bytes of responses kept in memory.
    public var capacityBytes: Int
    /// How long a cached response is served without re-rendering, when no event invalidated it.
    public var freshFor: TimeInterval
    /// How long after that a stale response may still be served while one request re-renders.
    public var grace: TimeInterval
    /// Renders allowed in flight at once.
    public var maximumRenders: Int
    /// Of those, how many only logged-in editors may use.
    public var editorReserve: Int
    /// How many anonymous requests may wait for a render slot.
    public var maximumQueue: Int
    /// How long a request waits for a slot before it gets the panic page.
    public var maximumWait: Duration
    /// Adds this much time to every cached render: simulates a slow backend in tests and
    /// demonstrations of single flight and overload protection. Zero in production.
    public var simulatedRenderTime: Duration
    /// Cache-Control sent with each kind of public response.
    public var cacheControl: CacheControlPolicy
    /// The most bytes of public pages' first reads kept for reuse (`PageReadsCache`); 0 turns
    /// that off. Independent of the response cache: with that off, pages are still rendered
    /// for every request, from reads kept until their site changes.
    public var pageDataBytes: Int
    /// Whether cached responses carry their dependency keys as `xkey` and `Surrogate-Key`
    /// headers. Only an external cache reads them (Varnish's xkey, a CDN), and a page's keys
    /// can take a kilobyte or two, so they are sent only when one is configured.
    public var surrogateKeys: Bool

    public init(
        enabled: Bool = true, capacityBytes: Int = 256 * 1024 * 1024, freshFor: TimeInterval = 300, grace: TimeInterval = 60,
        maximumRenders: Int = 16, editorReserve: Int = 4, maximumQueue: Int = 256, maximumWait: Duration = .milliseconds(500),
        simulatedRenderTime: Duration = .zero, cacheControl: CacheControlPolicy = CacheControlPolicy(), pageDataBytes: Int = 32 * 1024 * 1024,
        surrogateKeys: Bool = false
    ) {
        self.surrogateKeys = surrogateKeys
        self.cacheControl = cacheControl
        self.pageDataBytes = pageDataBytes
        self.enabled = enabled
        self.capacityBytes = capacityBytes
        self.freshFor = freshFor
        self.grace = grace
        self.maximumRenders = maximumRenders
        self.editorReserve = editorReserve
        self.maximumQueue = maximumQueue
        self.maximumWait = maximumWait
        self.simulatedRenderTime = simulatedRenderTime
    }
}

/// Cache-Control for each kind of public response, set per environment (`cache.control.*`).
/// By default pages revalidate every time (they carry an ETag, so that costs a 304); feeds,
/// sitemap and robots.txt may be kept a few minutes; blobs and theme files at content-hash
/// URLs for a year.
public struct CacheControlPolicy: Sendable, Equatable {
    public var page: String
    public var feed: String
    public var asset: String

    public init(page: String = "public, max-age=0, must-revalidate", feed: String = "public, max-age=300",
                asset: String = "public, max-age=31536000, immutable") {
        self.page = page
        self.feed = feed
        self.asset = asset
    }
}

/// Cache-Control of responses that are never shared.
public enum CachePolicy {
    public static let personal = "private, no-store"
    public static let error = "no-store"
}
