import Foundation
import NIOCore
import PorticoCache
import PorticoCore
import Synchronization
import Testing

func entry(_ text: String, dependencies: Set<Dependency>, now: Date = Date(), fresh: TimeInterval = 60, grace: TimeInterval = 30, hard: Date? = nil) -> CachedResponse {
    CachedResponse(status: 200, headers: [("Content-Type", "text/html")], body: ByteBuffer(string: text), gzipBody: nil, etag: "\"x\"",
                   dependencies: dependencies, storedAt: now, freshUntil: now.addingTimeInterval(fresh), graceUntil: now.addingTimeInterval(fresh + grace), hardExpiry: hard)
}

func body(_ lookup: ResponseCache.Lookup) -> String? {
    switch lookup {
    case .fresh(let response), .stale(let response): return String(buffer: response.body)
    case .miss: return nil
    }
}

@Suite struct ResponseCacheTests {
    let alpha = try! SiteID("alpha")
    let beta = try! SiteID("beta")

    @Test func storesLooksUpAndEvictsByDependency() {
        let cache = ResponseCache(capacity: 10_000_000)
        let now = Date()
        let page = CacheKey(site: alpha, path: "/a", query: "")
        let listing = CacheKey(site: alpha, path: "/", query: "")
        let other = CacheKey(site: alpha, path: "/b", query: "")
        let generation = cache.generation
        cache.store(page, entry("page", dependencies: [.item(ItemID("a"))]), renderedSince: generation)
        cache.store(listing, entry("listing", dependencies: [.children(ItemID("root")), .summary(ItemID("a"))]), renderedSince: generation)
        cache.store(other, entry("other", dependencies: [.item(ItemID("b"))]), renderedSince: generation)
        #expect(body(cache.lookup(page, now: now)) == "page")
        #expect(cache.invalidate(.dependencies(alpha, [.item(ItemID("a"))])) == 1)
        #expect(body(cache.lookup(page, now: now)) == nil)
        #expect(body(cache.lookup(listing, now: now)) == "listing")
        #expect(body(cache.lookup(other, now: now)) == "other")
    }

    @Test func aWriteInOneSiteNeverTouchesAnother() {
        let cache = ResponseCache(capacity: 10_000_000)
        let a = CacheKey(site: alpha, path: "/", query: "")
        let b = CacheKey(site: beta, path: "/", query: "")
        cache.store(a, entry("a", dependencies: [.settings, .news]), renderedSince: cache.generation)
        cache.store(b, entry("b", dependencies: [.settings, .news]), renderedSince: cache.generation)
        cache.invalidate(.dependencies(alpha, [.news]))
        cache.invalidate(.site(alpha))
        #expect(body(cache.lookup(a, now: Date())) == nil)
        #expect(body(cache.lookup(b, now: Date())) == "b")
    }

    @Test func aRenderThatRacedWithAWriteIsNotStored() {
        let cache = ResponseCache(capacity: 10_000_000)
        let key = CacheKey(site: alpha, path: "/a", query: "")
        let started = cache.generation
        cache.invalidate(.dependencies(alpha, [.item(ItemID("a"))]))  // the write lands mid-render
        #expect(!cache.store(key, entry("old", dependencies: [.item(ItemID("a"))]), renderedSince: started))
        #expect(body(cache.lookup(key, now: Date())) == nil)
        // An unrelated invalidation does not block it.
        let later = cache.generation
        cache.invalidate(.dependencies(alpha, [.item(ItemID("zzz"))]))
        #expect(cache.store(key, entry("new", dependencies: [.item(ItemID("a"))]), renderedSince: later))
    }

    @Test func freshStaleAndHardExpiry() {
        let cache = ResponseCache(capacity: 10_000_000)
        let now = Date()
        let key = CacheKey(site: alpha, path: "/", query: "")
        cache.store(key, entry("x", dependencies: [.news], now: now, fresh: 10, grace: 10), renderedSince: cache.generation)
        if case .fresh = cache.lookup(key, now: now.addingTimeInterval(5)) {} else { Issue.record("expected fresh") }
        if case .stale = cache.lookup(key, now: now.addingTimeInterval(15)) {} else { Issue.record("expected stale") }
        if case .miss = cache.lookup(key, now: now.addingTimeInterval(25)) {} else { Issue.record("expected miss") }
        let scheduled = CacheKey(site: alpha, path: "/s", query: "")
        cache.store(scheduled, entry("s", dependencies: [.news], now: now, fresh: 100, hard: now.addingTimeInterval(3)), renderedSince: cache.generation)
        if case .miss = cache.lookup(scheduled, now: now.addingTimeInterval(4)) {} else { Issue.record("a scheduled change must end the entry, with no grace") }
    }

    @Test func staysWithinItsByteBound() {
        let cache = ResponseCache(capacity: 200_000)
        let big = String(repeating: "x", count: 10_000)
        for index in 0..<100 {
            cache.store(CacheKey(site: alpha, path: "/\(index)", query: ""), entry(big, dependencies: [.item(ItemID("\(index)"))]), renderedSince: cache.generation)
        }
        #expect(cache.storedBytes <= 200_000)
        #expect(cache.count > 5)
        // The most recent entries survive.
        #expect(body(cache.lookup(CacheKey(site: alpha, path: "/99", query: ""), now: Date())) != nil)
    }
}

@Suite struct InvalidationTests {
    let site = try! SiteID("alpha")

    func item(_ type: ItemType = .page, title: String = "T", body: String = "B", state: ItemState = .published) -> Item {
        Item(id: ItemID("i"), parentID: ItemID("p"), path: "/p/i", slug: "i", type: type, title: title, body: body, state: state,
             created: Date(timeIntervalSince1970: 0), modified: Date(timeIntervalSince1970: 0), effective: Date(timeIntervalSince1970: 0))
    }

    @Test func aBodyEditTouchesOnlyTheItem() {
        let before = item()
        var after = before
        after.body = "changed"
        after.version = 2
        after.modified = Date(timeIntervalSince1970: 10)
        #expect(Invalidation.of(.itemUpdated(site: site, before: before, after: after)) == .dependencies(site, [.item(ItemID("i")), .sitemap, .catalog]))
        let news = item(.news)
        var newsAfter = news
        newsAfter.body = "changed"
        #expect(Invalidation.of(.itemUpdated(site: site, before: news, after: newsAfter)) == .dependencies(site, [.item(ItemID("i")), .sitemap, .news, .catalog]))
    }

    @Test func aTitleOrStateChangeTouchesListings() {
        let before = item(.news)
        var after = before
        after.state = .private
        guard case .dependencies(_, let keys) = Invalidation.of(.itemUpdated(site: site, before: before, after: after)) else { Issue.record("site-wide"); return }
        #expect(keys.isSuperset(of: [.item(ItemID("i")), .summary(ItemID("i")), .children(ItemID("p")), .news, .addresses]))
    }
}
