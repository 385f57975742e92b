import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Feature switches on the public side: the themed notice while off, the normal answer when
/// on again, no cached copy in between, and changes made by other processes.
@Suite struct FeatureSwitchTests {
    static let xCache = HTTPField.Name("X-Cache")!

    static func switchOff(_ flag: FeatureFlag, _ f: WebFixture) async throws {
        try await f.services.switchboard.set(flag, enabled: false, by: .system, actor: "test")
    }

    static func switchOn(_ flag: FeatureFlag, _ f: WebFixture) async throws {
        try await f.services.switchboard.set(flag, enabled: true, by: .system, actor: "test")
    }

    @Test func feedsOffAnswerTheThemedNoticeAndAreNeverCached() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let feed = try await client.get("/feed.xml")
            #expect(feed.status == .ok)
            #expect(try await client.get("/feed.xml").headers[Self.xCache] == "HIT")

            try await Self.switchOff(.feeds, f)
            for _ in 0..<2 {
                let off = try await client.get("/feed.xml")
                #expect(off.status == .serviceUnavailable)
                #expect(off.body.contains("Feeds are switched off for now."))
                #expect(off.body.contains("Northfield College"))  // the site's theme, not the platform error page
                #expect(!off.body.contains("error-code"))
                #expect(off.headers[.retryAfter] == "300")
                #expect(off.headers[.cacheControl]?.contains("no-store") == true)
                #expect(off.headers[Self.xCache] != "HIT")
            }
            #expect(try await client.get("/feed.xml", host: "beta.test").status == .serviceUnavailable)
            // Other features are untouched.
            #expect(try await client.get("/sitemap.xml").status == .ok)

            try await Self.switchOn(.feeds, f)
            let back = try await client.get("/feed.xml")
            #expect(back.status == .ok)
            #expect(back.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"))
        }
    }

    @Test func searchOffAnswersTheNoticeAndOnSearches() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            #expect(try await client.get("/_search").status == .ok)
            #expect(try await client.get("/_search?q=campus").body.contains("class=\"search-result\""))

            try await Self.switchOff(.search, f)
            let off = try await client.get("/_search?q=library")
            #expect(off.status == .serviceUnavailable)
            #expect(off.body.contains("Search is switched off for now."))
            #expect(off.headers[.retryAfter] == "300")
            #expect(try await client.get("/_site/demo/_search").status == .serviceUnavailable)
            #expect(try await client.get("/_search", method: .head).status == .serviceUnavailable)

            try await Self.switchOn(.search, f)
            #expect(try await client.get("/_search?q=library").status == .ok)
        }
    }

    /// `portico flags set` runs in another process: it writes the store, and the web process
    /// picks the change up on its next refresh (every second when serving).
    @Test func aChangeMadeInTheStoreIsPickedUpByRefresh() async throws {
        let f = try await WebFixture.make()
        let switchboard = f.services.switchboard
        try await f.test { client in
            #expect(try await client.get("/feed.xml").status == .ok)
            try await f.store.setFeatureFlag(.feeds, enabled: false, by: "command line")
            #expect(switchboard.isOn(.feeds))  // not yet: nothing refreshed

            try await switchboard.refresh()
            #expect(!switchboard.isOn(.feeds))
            #expect(switchboard.flags.changes[.feeds]?.by == "command line")
            // The cached feed was evicted with the change.
            #expect(try await client.get("/feed.xml").status == .serviceUnavailable)

            try await f.store.setFeatureFlag(.feeds, enabled: true, by: "command line")
            try await switchboard.refresh()
            #expect(try await client.get("/feed.xml").status == .ok)
        }
    }

    @Test func newServicesStartFromTheStoredSwitches() async throws {
        let f = try await WebFixture.make()
        try await f.store.setFeatureFlag(.uploads, enabled: false, by: "test")
        let services = try await PorticoServices(store: f.store, theme: try Theme(), bcryptCost: 4)
        #expect(!services.switchboard.isOn(.uploads))
        #expect(services.switchboard.isOn(.feeds))
    }

    @Test func onlyAdministratorsMaySwitch() async throws {
        let f = try await WebFixture.make()
        await #expect(throws: PorticoError.self) {
            try await f.services.switchboard.set(.feeds, enabled: false, by: .anonymous, actor: "nobody")
        }
        await #expect(throws: PorticoError.self) {
            try await f.services.switchboard.set(.feeds, enabled: false, by: .user(UserID("u"), isPlatformAdmin: false), actor: "u")
        }
        #expect(try await f.store.featureFlags() == .allOn)
    }

    /// As a service the switchboard follows the store by itself, and stops when cancelled
    /// (no task outlives it).
    @Test func theRefreshLoopFollowsTheStoreAndStopsWhenCancelled() async throws {
        let f = try await WebFixture.make()
        let switchboard = FeatureSwitchboard(store: f.store, refreshInterval: .milliseconds(10))
        let loop = Task { try await switchboard.run() }
        try await f.store.setFeatureFlag(.login, enabled: false, by: "test")
        let deadline = ContinuousClock.now + .seconds(10)
        while switchboard.isOn(.login) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!switchboard.isOn(.login))
        loop.cancel()
        try await loop.value
    }
}
