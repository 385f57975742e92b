import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import Testing
@testable import PorticoWeb

/// Public pages' first reads are reused across requests (`PageReadsCache`) but never outlive
/// a change of their site, nor a scheduled publication coming due. The response cache is off
/// here, so every request renders, from kept reads or fresh ones.
@Suite struct PageReadsCacheTests {
    static let uncached = CacheConfiguration(enabled: false)

    @Test func readsAreReusedUntilTheirSiteChanges() async throws {
        let f = try await WebFixture.make(cache: Self.uncached)
        let root = try await f.content(f.demo).root()
        let betaRoot = try await f.content(f.beta).root()
        try await f.test { client in
            #expect(try await client.get("/about").status == .ok)
            let before = f.services.pageReads.counts
            #expect(try await client.get("/about").status == .ok)
            #expect(f.services.pageReads.counts.hits == before.hits + 1)

            // A new top-level page appears in the navigation of every page at once.
            try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .page, title: "Campus map"), state: .published, by: .system)
            #expect(try await client.get("/about").body.contains("Campus map"))

            // An edit in another site leaves this site's kept reads in place.
            let kept = f.services.pageReads.counts
            try await f.services.content.create(in: f.beta.id, under: betaRoot.id, ItemDraft(type: .page, title: "Beta news"), state: .published, by: .system)
            #expect(try await client.get("/about").status == .ok)
            #expect(f.services.pageReads.counts.hits == kept.hits + 1)

            // A page taken back out of public view answers 404 at once.
            let history = try await f.item(f.demo, "/about/our-history")
            #expect(try await client.get("/about/our-history").status == .ok)
            try await f.services.content.transition(in: f.demo.id, id: history.id, .retract, by: .system)
            #expect(try await client.get("/about/our-history").status == .notFound)
            let listing = try await client.get("/about").body
            #expect(!listing.contains(history.title))
        }
    }

    @Test func aScheduledPublicationAppearsWhenItsTimeComes() async throws {
        let f = try await WebFixture.make(cache: Self.uncached)
        let news = try await f.item(f.demo, "/news")
        let later = f.clock.now().addingTimeInterval(3600)
        try await f.services.content.create(in: f.demo.id, under: news.id, ItemDraft(type: .news, title: "Embargoed results", effective: later), state: .published, by: .system)
        try await f.test { client in
            for _ in 0..<2 {
                let body = try await client.get("/news").body
                #expect(!body.contains("Embargoed results"))
            }
            f.clock.advance(3601)
            #expect(try await client.get("/news").body.contains("Embargoed results"))
        }
    }

    /// "Open evening", under way and over in 100 s: well within the 300 s an entry may live at most.
    static func addEventEndingSoon(_ f: WebFixture) async throws {
        let events = try await f.item(f.demo, "/events")
        let end = f.clock.now().addingTimeInterval(100)
        let evening = EventDetails(start: end.addingTimeInterval(-3600), end: end, location: "Main hall")
        try await f.services.content.create(in: f.demo.id, under: events.id, ItemDraft(type: .event, title: "Open evening", event: evening), state: .published, by: .system)
    }

    @Test func theHomePagesListsFollowWritesAndEventsThatEnd() async throws {
        let f = try await WebFixture.make(cache: Self.uncached)
        let news = try await f.item(f.demo, "/news")
        try await Self.addEventEndingSoon(f)
        try await f.test { client in
            #expect(try await client.get("/").body.contains("Open evening"))
            let before = f.services.pageReads.counts
            #expect(try await client.get("/").body.contains("Open evening"))
            #expect(f.services.pageReads.counts.hits >= before.hits + 3)  // the page's reads, the news, the events

            try await f.services.content.create(in: f.demo.id, under: news.id, ItemDraft(type: .news, title: "Prize awarded"), state: .published, by: .system)
            #expect(try await client.get("/").body.contains("Prize awarded"))

            // Once the event is over, it leaves the home page without any write.
            f.clock.advance(101)
            let home = try await client.get("/").body
            #expect(!home.contains("Open evening"))
        }
    }

    @Test func anEventThatEndsLeavesTheCachedHomePageToo() async throws {
        let f = try await WebFixture.make()  // response cache on
        try await Self.addEventEndingSoon(f)
        try await f.test { client in
            #expect(try await client.get("/").body.contains("Open evening"))
            let again = try await client.get("/")
            #expect(again.headers[HTTPField.Name("X-Cache")!] == "HIT" && again.body.contains("Open evening"))
            f.clock.advance(101)
            let home = try await client.get("/").body
            #expect(!home.contains("Open evening"))
        }
    }

    /// An answer about the next scheduled change holds from the moment it was asked for: a
    /// request that took its time earlier must not be told about a later change only.
    @Test func theNextScheduledChangeIsNeverTakenFromALaterQuestion() async throws {
        let f = try await WebFixture.make()
        let news = try await f.item(f.demo, "/news")
        let publication = Date(timeIntervalSince1970: (f.clock.now().timeIntervalSince1970 + 3600).rounded(.down))  // stored to the millisecond
        try await f.services.content.create(in: f.demo.id, under: news.id, ItemDraft(type: .news, title: "Embargoed", effective: publication), state: .published, by: .system)
        let later = await f.services.schedule.nextChange(site: f.demo.id, after: publication.addingTimeInterval(1))
        #expect(later == nil || later! > publication)
        #expect(await f.services.schedule.nextChange(site: f.demo.id, after: publication.addingTimeInterval(-1)) == publication)
    }

    @Test func aSizeOfZeroTurnsItOff() async throws {
        var configuration = Self.uncached
        configuration.pageDataBytes = 0
        let f = try await WebFixture.make(cache: configuration)
        try await f.test { client in
            for _ in 0..<3 {
                let response = try await client.get("/about")
                #expect(response.status == .ok)
            }
        }
        #expect(f.services.pageReads.counts.hits == 0 && f.services.pageReads.storedBytes == 0)
    }

    @Test func pathsWithoutAnItemAreNotKept() async throws {
        let f = try await WebFixture.make(cache: Self.uncached)
        try await f.test { client in
            for index in 0..<50 {
                let response = try await client.get("/no-such-page-\(index)")
                #expect(response.status == .notFound)
            }
        }
        #expect(f.services.pageReads.storedBytes == 0)
    }
}
