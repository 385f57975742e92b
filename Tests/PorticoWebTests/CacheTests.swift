import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoCache
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Synchronization
import Testing

@Suite struct CacheHeaderTests {
    @Test func pagesAreCachedWithValidatorsAndCompression() async throws {
        let f = try await WebFixture.make(cache: CacheConfiguration(surrogateKeys: true))
        try await f.test { client in
            let first = try await client.get("/news")
            #expect(first.status == .ok)
            #expect(first.headers[.cacheControl] == "public, max-age=0, must-revalidate")
            #expect(first.headers[HTTPField.Name("X-Cache")!] == "MISS")
            let etag = try #require(first.headers[.eTag])
            let keys = try #require(first.headers[HTTPField.Name("xkey")!])
            #expect(keys.contains("demo-settings"))
            #expect(first.headers[HTTPField.Name("Surrogate-Key")!] == keys)

            let second = try await client.get("/news")
            #expect(second.headers[HTTPField.Name("X-Cache")!] == "HIT")
            #expect(second.body == first.body)
            #expect(second.headers[.eTag] == etag)

            let notModified = try await client.get("/news", headers: [.ifNoneMatch: etag])
            #expect(notModified.status == .notModified)
            #expect(notModified.body.isEmpty)

            let gzip = try await client.execute(uri: "/news", method: .get, headers: [hostField: "demo.test", .acceptEncoding: "gzip, deflate"]) { $0 }
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(gzip.headers[.vary] == "Accept-Encoding")
            #expect(gzip.body.readableBytes < first.body.utf8.count)
            #expect(Array(gzip.body.readableBytesView.prefix(2)) == [0x1F, 0x8B])

            let feed = try await client.get("/feed.xml")
            #expect(feed.headers[.cacheControl] == "public, max-age=300")
            let head = try await client.get("/news", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.isEmpty)
        }
    }

    /// Without an external cache configured, nobody reads the keys: they are not sent.
    @Test func surrogateKeysAreSentOnlyForAnExternalCache() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let miss = try await client.get("/news")
            let hit = try await client.get("/news")
            #expect(hit.headers[HTTPField.Name("X-Cache")!] == "HIT")
            for response in [miss, hit] {
                #expect(response.headers[HTTPField.Name("xkey")!] == nil)
                #expect(response.headers[HTTPField.Name("Surrogate-Key")!] == nil)
            }
        }
    }

    @Test func personalAndEditorResponsesAreNeverStored() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            let page = try await editor.get("/news")
            #expect(page.headers[.cacheControl] == "private, no-store")
            #expect(page.headers[HTTPField.Name("X-Cache")!] == nil)
            #expect(page.body.contains("Logged in as"))
            let edit = try await editor.get("/_edit/contents/news")
            #expect(edit.headers[.cacheControl] == "private, no-store")
            // What the editor saw is not what anonymous visitors get.
            let anonymous = try await client.get("/news")
            #expect(!anonymous.body.contains("Logged in as"))
        }
        #expect(f.web.services.cache.count >= 1)
    }
}

struct Version: Sendable {
    var finished: ContinuousClock.Instant
    var number: Int
}

@Suite struct StaleReadTests {
    /// Readers loop on a page and its folder listing while a writer edits the page's title.
    /// Every read that starts after a write's response must show that write (or a later one).
    /// With the response cache off, pages are rendered every time from reads kept by
    /// `PageReadsCache`, which must be just as current.
    @Test(arguments: [true, false])
    func noReadStartedAfterAWriteSeesOlderContent(responseCache: Bool) async throws {
        let f = try await WebFixture.make(cache: CacheConfiguration(enabled: responseCache))
        let page = try await f.item(f.demo, "/about/our-history")
        let versions = Locked<[Version]>([])
        let violations = Locked<[String]>([])
        let reads = Locked(0)
        let writes = 40
        try await f.test { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var current = page
                    for number in 1...writes {
                        var draft = ItemDraft(current)
                        draft.title = "History v\(number)"
                        current = try await f.services.content.update(in: f.demo.id, id: page.id, draft, expectedVersion: current.version, by: .system)
                        let done = ContinuousClock.now
                        versions.withLock { $0.append(Version(finished: done, number: number)) }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                for reader in 0..<8 {
                    group.addTask {
                        let path = reader % 2 == 0 ? "/about/our-history" : "/about"
                        while versions.withLock({ $0.last?.number ?? 0 }) < writes {
                            let started = ContinuousClock.now
                            let required = versions.withLock { list in list.last(where: { $0.finished < started })?.number ?? 0 }
                            let response = try await client.get(path)
                            reads.withLock { $0 += 1 }
                            let seen = response.body.firstMatch(of: /History v(\d+)/).flatMap { Int($0.1) } ?? 0
                            if seen < required { violations.withLock { $0.append("\(path): saw v\(seen) after v\(required) was written") } }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(violations.withLock { $0 }.isEmpty, "\(violations.withLock { $0 }.prefix(5))")
        #expect(reads.withLock { $0 } > writes)
    }
}

@Suite struct EvictionTests {
    @Test func editingOnePageLeavesTheOtherCachedPagesInPlace() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        let section = try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .folder, title: "Archive"), state: .published, by: .system)
        var folders: [Item] = []
        for index in 0..<20 {
            folders.append(try await f.services.content.create(in: f.demo.id, under: section.id, ItemDraft(type: .folder, title: "Year \(index)"), state: .published, by: .system))
        }
        var pages: [Item] = []
        for index in 0..<2000 {
            pages.append(try await f.services.content.create(in: f.demo.id, under: folders[index % 20].id, ItemDraft(type: .page, title: "Page \(index)", body: "Body \(index)"), state: .published, by: .system))
        }
        let paths = pages.map(\.path)
        try await f.test { client in
            for path in paths { _ = try await client.get(path) }
        }
        let cache = f.services.cache
        let before = cache.count
        #expect(before >= 2000)
        var draft = ItemDraft(pages[7])
        draft.body = "A new body"
        try await f.services.content.update(in: f.demo.id, id: pages[7].id, draft, expectedVersion: pages[7].version, by: .system)
        let after = cache.count
        #expect(before - after >= 1)
        #expect(Double(after) >= Double(before - 1) * 0.99, "evicted \(before - after) of \(before)")
        try await f.test { client in
            let edited = try await client.get(paths[7])
            #expect(edited.headers[HTTPField.Name("X-Cache")!] == "MISS")
            #expect(edited.body.contains("A new body"))
            let untouched = try await client.get(paths[8])
            #expect(untouched.headers[HTTPField.Name("X-Cache")!] == "HIT")
        }
    }
}

@Suite struct SingleFlightAndOverloadTests {
    @Test func concurrentMissesOnOneKeyCauseOneRender() async throws {
        let f = try await WebFixture.make(cache: CacheConfiguration(simulatedRenderTime: .milliseconds(300)))
        let statuses = Locked<[HTTPResponse.Status]>([])
        let before = f.services.cache.statistics["renders"]
        try await f.test { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await client.get("/news")
                        statuses.withLock { $0.append(response.status) }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(f.services.cache.statistics["renders"] - before == 1)
        #expect(f.services.cache.statistics["coalesced"] == 19)
        #expect(statuses.withLock { $0 }.allSatisfy { $0 == .ok })
    }

    @Test func anonymousFloodGetsThePanicPageWhileAnEditorSaves() async throws {
        let configuration = CacheConfiguration(maximumRenders: 2, editorReserve: 1, maximumQueue: 2, maximumWait: .milliseconds(100), simulatedRenderTime: .milliseconds(1500))
        let f = try await EditorFixture.make(cache: configuration)
        let page = try await f.web.item(f.web.demo, "/about/our-history")
        let outcomes = Locked<[(HTTPResponse.Status, Duration, String)]>([])
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            let saved = Locked<HTTPResponse.Status?>(nil)
            let editorBrowser = editor
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let started = ContinuousClock.now
                        let response = try await client.get("/news?flood=\(index)")
                        outcomes.withLock { $0.append((response.status, ContinuousClock.now - started, response.headers[.retryAfter] ?? "")) }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(200))
                    var browser = editorBrowser
                    let response = try await browser.post("/_edit/edit/about/our-history", [("type", "page"), ("version", String(page.version)), ("title", "Saved during the flood")])
                    saved.withLock { $0 = response.status }
                }
                try await group.waitForAll()
            }
            #expect(saved.withLock { $0 } == .seeOther)
        }
        let results = outcomes.withLock { $0 }
        let shed = results.filter { $0.0 == .serviceUnavailable }
        #expect(shed.count >= 9, "\(results.map(\.0))")
        #expect(shed.allSatisfy { $0.1 < .milliseconds(1000) }, "the panic page must come quickly")
        #expect(shed.allSatisfy { $0.2 == "5" })
        #expect(try await f.web.item(f.web.demo, "/about/our-history").title == "Saved during the flood")
        #expect(f.web.services.cache.statistics["shed"] >= 9)
    }
}

@Suite struct CacheMetricsTests {
    @Test func metricsAreRefusedToNonLoopbackClients() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            _ = try await client.get("/news")
            _ = try await client.get("/news")
            // The in-process test client has no network address, so it is not loopback: refused.
            let metrics = try await client.get("/metrics", host: "127.0.0.1")
            #expect(metrics.status == .forbidden)
        }
        #expect(f.services.cache.statistics["hits"] == 1)
        #expect(f.services.cache.statistics["misses"] == 1)
    }
}
