public import Foundation
public import NIOCore
public import PorticoCore
import Synchronization

/// Where a cached response lives: the site, the path as the client asked for it (including a
/// `/_site/<id>` prefix, since links differ) and the query string.
public struct CacheKey: Hashable, Sendable {
    public var site: SiteID
    public var path: String
    public var query: String

    public init(site: SiteID, path: String, query: String) {
        self.site = site
        self.path = path
        self.query = query
    }
}

/// A response stored ready to send: status, headers, the body and its gzip variant.
public struct CachedResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: ByteBuffer
    /// The gzip-compressed body, when the type compresses and it is worth it.
    public var gzipBody: ByteBuffer?
    /// Strong validator of the identity body (quoted).
    public var etag: String
    public var dependencies: Set<Dependency>
    public var storedAt: Date
    /// Served as fresh until then.
    public var freshUntil: Date
    /// Served stale (while one request re-renders) until then.
    public var graceUntil: Date
    /// Never served after this (a scheduled publication or expiry changes the content).
    public var hardExpiry: Date?
    /// The response heads as the server writes them, prepared when the entry is made, so that
    /// a hit is answered without building header fields. Set by the server layer, last.
    public var wireHeads: WireHeads?

    public init(status: Int, headers: [(name: String, value: String)], body: ByteBuffer, gzipBody: ByteBuffer?, etag: String,
                dependencies: Set<Dependency>, storedAt: Date, freshUntil: Date, graceUntil: Date, hardExpiry: Date?) {
        self.status = status
        self.headers = headers
        self.body = body
        self.gzipBody = gzipBody
        self.etag = etag
        self.dependencies = dependencies
        self.storedAt = storedAt
        self.freshUntil = freshUntil
        self.graceUntil = graceUntil
        self.hardExpiry = hardExpiry
    }

    var size: Int { body.readableBytes + (gzipBody?.readableBytes ?? 0) + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } * 4 + 256 }
}

/// A cached response's heads as bytes on the wire: the status line and every header that does
/// not change between requests. The server appends the per-request lines (date, age) and the
/// blank line that ends the head.
public struct WireHeads: Sendable {
    /// For a client that takes the body as stored.
    public var identity: ByteBuffer
    /// For a client that accepts gzip, when there is a compressed body.
    public var gzip: ByteBuffer?
    /// For a `304 Not Modified`.
    public var notModified: ByteBuffer

    public init(identity: ByteBuffer, gzip: ByteBuffer?, notModified: ByteBuffer) {
        self.identity = identity
        self.gzip = gzip
        self.notModified = notModified
    }
}

/// The node's shared response cache: one for all threads, bounded in bytes, evicted by
/// dependency when content changes and by least-recent use when full.
///
/// Correctness under concurrency: every invalidation bumps a generation counter and records
/// it against the keys it touched. A render notes the generation when it starts; when it
/// finishes, its result is stored only if none of its dependencies was invalidated since. So
/// a render that raced with a write can never put the old content back.
public final class ResponseCache: Sendable {
    public enum Lookup: Sendable {
        case fresh(CachedResponse)
        /// Past its freshness but within grace: may be served while one request re-renders.
        case stale(CachedResponse)
        case miss
    }

    struct DependencyKey: Hashable {
        var site: SiteID
        var dependency: Dependency
    }

    struct Entry {
        var response: CachedResponse
        var lastUse: UInt64
    }

    struct State {
        var entries: [CacheKey: Entry] = [:]
        var byDependency: [DependencyKey: Set<CacheKey>] = [:]
        var bySite: [SiteID: Set<CacheKey>] = [:]
        var invalidatedAt: [DependencyKey: UInt64] = [:]
        var siteInvalidatedAt: [SiteID: UInt64] = [:]
        var generation: UInt64 = 0
        /// Renders that started before this generation are never stored (see compaction).
        var floor: UInt64 = 0
        var tick: UInt64 = 0
        var bytes: Int = 0
    }

    private let state = Mutex(State())
    public let capacity: Int
    public let statistics = CacheStatistics()

    /// - Parameter capacity: the most bytes of responses kept.
    public init(capacity: Int) {
        self.capacity = max(64 * 1024, capacity)
    }

    /// The current generation; pass it to `store` when the render that started now finishes.
    public var generation: UInt64 { state.withLock { $0.generation } }

    public var storedBytes: Int { state.withLock { $0.bytes } }
    public var count: Int { state.withLock { $0.entries.count } }

    public func lookup(_ key: CacheKey, now: Date) -> Lookup {
        state.withLock { state in
            guard let index = state.entries.index(forKey: key) else { return .miss }
            let response = state.entries.values[index].response
            if let hard = response.hardExpiry, hard <= now {
                Self.remove(key, from: &state)
                return .miss
            }
            state.tick += 1
            // In place: copying the entry out and back retained and released every part of the
            // response and hashed the key again, under the lock that every hit takes.
            state.entries.values[index].lastUse = state.tick
            if now < response.freshUntil { return .fresh(response) }
            if now < response.graceUntil { return .stale(response) }
            Self.remove(key, from: &state)
            return .miss
        }
    }

    /// Stores a response rendered from a render that started at `generation`. Returns false
    /// (and stores nothing) when a dependency was invalidated meanwhile, or it is too large.
    @discardableResult
    public func store(_ key: CacheKey, _ response: CachedResponse, renderedSince generation: UInt64) -> Bool {
        guard response.size <= capacity / 8 else { return false }
        return state.withLock { state in
            if generation < state.floor { return false }
            if let siteAt = state.siteInvalidatedAt[key.site], siteAt > generation { return false }
            for dependency in response.dependencies {
                if let at = state.invalidatedAt[DependencyKey(site: key.site, dependency: dependency)], at > generation { return false }
            }
            if state.entries[key] != nil { Self.remove(key, from: &state) }
            state.tick += 1
            state.entries[key] = Entry(response: response, lastUse: state.tick)
            state.bytes += response.size
            state.bySite[key.site, default: []].insert(key)
            for dependency in response.dependencies {
                state.byDependency[DependencyKey(site: key.site, dependency: dependency), default: []].insert(key)
            }
            if state.bytes > capacity { evictLeastRecentlyUsed(&state) }
            return true
        }
    }

    /// Applies an invalidation; returns how many responses were evicted.
    @discardableResult
    public func invalidate(_ invalidation: Invalidation) -> Int {
        let evicted: Int = state.withLock { state in
            state.generation += 1
            let now = state.generation
            var keys = Set<CacheKey>()
            switch invalidation {
            case .site(let site):
                state.siteInvalidatedAt[site] = now
                keys = state.bySite[site] ?? []
            case .dependencies(let site, let dependencies):
                for dependency in dependencies {
                    let key = DependencyKey(site: site, dependency: dependency)
                    state.invalidatedAt[key] = now
                    keys.formUnion(state.byDependency[key] ?? [])
                }
            }
            for key in keys { Self.remove(key, from: &state) }
            if state.invalidatedAt.count > 200_000 { Self.compactInvalidations(&state) }
            return keys.count
        }
        statistics.add(evictions: evicted)
        return evicted
    }

    /// Drops everything (tests, operators).
    public func removeAll() {
        state.withLock { state in
            state.generation += 1
            let now = state.generation
            for site in state.bySite.keys { state.siteInvalidatedAt[site] = now }
            state.entries.removeAll()
            state.byDependency.removeAll()
            state.bySite.removeAll()
            state.bytes = 0
        }
    }

    private static func remove(_ key: CacheKey, from state: inout State) {
        guard let entry = state.entries.removeValue(forKey: key) else { return }
        state.bytes -= entry.response.size
        state.bySite[key.site]?.remove(key)
        for dependency in entry.response.dependencies {
            let dependencyKey = DependencyKey(site: key.site, dependency: dependency)
            state.byDependency[dependencyKey]?.remove(key)
            if state.byDependency[dependencyKey]?.isEmpty == true { state.byDependency[dependencyKey] = nil }
        }
    }

    private func evictLeastRecentlyUsed(_ state: inout State) {
        // Evict down to 90 % of the capacity in one pass, oldest first.
        let target = capacity * 9 / 10
        let ordered = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }
        var evicted = 0
        for (key, _) in ordered where state.bytes > target {
            Self.remove(key, from: &state)
            evicted += 1
        }
        statistics.add(evictions: evicted)
    }

    /// Old invalidation records only matter to renders that started before them; renders are
    /// short, so records older than every possible render can go. Keep the newest half.
    private static func compactInvalidations(_ state: inout State) {
        let threshold = state.generation - UInt64(state.invalidatedAt.count / 2)
        state.invalidatedAt = state.invalidatedAt.filter { $0.value > threshold }
        // A render older than the threshold might have missed a dropped record: refuse it.
        state.floor = threshold
    }
}

/// Counters of what the cache did, for metrics and tests. Every cache hit counts, on both
/// event loops at once, so each counter is an atomic of its own (not a locked dictionary).
public final class CacheStatistics: Sendable {
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let stale = Atomic<Int>(0)
    private let coalesced = Atomic<Int>(0)
    private let shed = Atomic<Int>(0)
    private let evictions = Atomic<Int>(0)
    private let renders = Atomic<Int>(0)

    public func add(hits: Int = 0, misses: Int = 0, stale: Int = 0, coalesced: Int = 0, shed: Int = 0, evictions: Int = 0, renders: Int = 0) {
        if hits != 0 { self.hits.add(hits, ordering: .relaxed) }
        if misses != 0 { self.misses.add(misses, ordering: .relaxed) }
        if stale != 0 { self.stale.add(stale, ordering: .relaxed) }
        if coalesced != 0 { self.coalesced.add(coalesced, ordering: .relaxed) }
        if shed != 0 { self.shed.add(shed, ordering: .relaxed) }
        if evictions != 0 { self.evictions.add(evictions, ordering: .relaxed) }
        if renders != 0 { self.renders.add(renders, ordering: .relaxed) }
    }

    public var snapshot: [String: Int] {
        [
            "hits": hits.load(ordering: .relaxed), "misses": misses.load(ordering: .relaxed), "stale": stale.load(ordering: .relaxed),
            "coalesced": coalesced.load(ordering: .relaxed), "shed": shed.load(ordering: .relaxed),
            "evictions": evictions.load(ordering: .relaxed), "renders": renders.load(ordering: .relaxed),
        ]
    }

    public subscript(_ name: String) -> Int { snapshot[name] ?? 0 }
}
