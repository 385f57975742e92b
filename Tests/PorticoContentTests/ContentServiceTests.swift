import Foundation
import PorticoTestSupport
import PorticoContent
import PorticoCore
import PorticoStore
import Synchronization
import Testing

/// A clock tests can move.
final class TestClock: PorticoClock {
    private let current = Mutex(Date(millisecondsSince1970: 1_700_000_000_000))
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Collects published events.
final class EventLog: Sendable {
    private let events = Mutex<[ContentEvent]>([])
    var all: [ContentEvent] { events.withLock { $0 } }
    func record(_ event: ContentEvent) { events.withLock { $0.append(event) } }
}

struct Fixture {
    let store: SQLiteContentStore
    let content: ContentService
    let administration: SiteAdministration
    let log: EventLog
    let clock: TestClock
    let site: Site
    let root: Item

    static func make() async throws -> Fixture {
        let folder = TestFolders.url("portico-content")
        let store = try SQLiteContentStore(dataFolder: folder)
        let events = ContentEventBus()
        let log = EventLog()
        events.subscribe { log.record($0) }
        let clock = TestClock()
        let content = ContentService(store: store, events: events, clock: clock)
        let administration = SiteAdministration(store: store, events: events, clock: clock, bcryptCost: 4)
        let site = try await administration.createSite(id: "alpha", name: "Alpha", hostnames: ["alpha.test"])
        let root = try await store.content(of: site.id).root()
        return Fixture(store: store, content: content, administration: administration, log: log, clock: clock, site: site, root: root)
    }
}

@Suite struct ContentServiceTests {
    @Test func createDerivesSlugPathAndHTMLAndPublishesAnEvent() async throws {
        let f = try await Fixture.make()
        let page = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "Hello, World!", body: "**hi**"), by: .system)
        #expect(page.slug == "hello-world")
        #expect(page.path == "/hello-world")
        #expect(page.bodyHTML.contains("<strong>hi</strong>"))
        #expect(page.version == 1)
        #expect(page.state == .private)
        #expect(f.log.all.last == .itemCreated(site: f.site.id, item: page))
        let stored = try await f.store.content(of: f.site.id).item(id: page.id)
        #expect(stored == page)
    }

    @Test func copyingTakesOnlyWhatTheCopierMaySee() async throws {
        let f = try await Fixture.make()
        let (user, _) = try await f.administration.createUser(username: "cora", password: "a long enough password", isPlatformAdmin: false)
        try await f.content.grant(.contributor, to: user.id, on: f.root.id, in: f.site.id, by: .system)
        let cora = Principal.user(user.id, isPlatformAdmin: false)
        let folder = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .folder, title: "Shared"), state: .published, by: .system)
        try await f.content.create(in: f.site.id, under: folder.id, ItemDraft(type: .page, title: "Public page"), state: .published, by: .system)
        try await f.content.create(in: f.site.id, under: folder.id, ItemDraft(type: .page, title: "Someone's draft"), state: .private, by: .system)
        let copy = try await f.content.copy(in: f.site.id, id: folder.id, into: f.root.id, by: cora)
        let titles = try await f.store.content(of: f.site.id).items(matching: ItemQuery(parentID: copy.id)).map(\.title)
        #expect(titles == ["Public page"])
        let secret = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "Secret"), state: .private, by: .system)
        await #expect(throws: PorticoError.self) { try await f.content.copy(in: f.site.id, id: secret.id, into: f.root.id, by: cora) }
    }

    @Test func slugsAreUniqueAmongSiblings() async throws {
        let f = try await Fixture.make()
        let first = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "News"), by: .system)
        let second = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "News"), by: .system)
        #expect([first.slug, second.slug] == ["news", "news-2"])
        #expect(second.position == 1)
        await #expect(throws: PorticoError.self) {
            try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "X", slug: "news"), by: .system)
        }
        // Reserved names at the root are avoided when derived.
        let sitemap = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "Search"), by: .system)
        #expect(sitemap.slug == "search-page")
    }

    @Test func bulkInsertsGiveEveryClashingSlugItsOwnAddressEvenAtTheLengthLimit() async throws {
        let f = try await Fixture.make()
        let folder = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .folder, title: "Files"), by: .system)
        let long = String(repeating: "a", count: Slug.maximumLength)
        // Shortened to make room for "-2", "-3", …: each numbered slug must still be free.
        let drafts = (0..<4).map { ItemDraft(type: .page, title: "Page \($0)", slug: long) }
        let first = try await f.content.createMany(in: f.site.id, under: folder.id, drafts, by: .system)
        let again = try await f.content.createMany(in: f.site.id, under: folder.id, drafts, by: .system)
        let slugs = (first + again).map(\.slug)
        #expect(Set(slugs).count == 8)
        #expect(slugs.allSatisfy { $0.count <= Slug.maximumLength })
        #expect((first + again).map(\.position) == Array(0..<8))
        // Past fifty clashes the search for a free name goes on.
        let many = (0..<60).map { ItemDraft(type: .page, title: "Many \($0)", slug: "same") }
        let stored = try await f.content.createMany(in: f.site.id, under: folder.id, many, by: .system)
        #expect(Set(stored.map(\.slug)).count == 60)
        #expect(Set(try await f.content.createMany(in: f.site.id, under: folder.id, many, by: .system).map(\.slug)).isDisjoint(with: stored.map(\.slug)))
    }

    @Test func invalidDraftsReportEveryFieldAndWriteNothing() async throws {
        let f = try await Fixture.make()
        do {
            try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .event, title: "", slug: "Bad!"), by: .system)
            Issue.record("expected a validation error")
        } catch PorticoError.validation(let errors) {
            #expect(Set(errors.map(\.field)) == ["title", "slug", "start"])
        }
        #expect(try await f.store.content(of: f.site.id).count(matching: ItemQuery()) == 1)
        #expect(f.log.all.count == 1)  // only siteCreated
    }

    @Test func anonymousMayNotWrite() async throws {
        let f = try await Fixture.make()
        await #expect(throws: PorticoError.forbidden("you may not add items here")) {
            try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "X"), by: .anonymous)
        }
    }

    @Test func updateDetectsConcurrentEditsAndKeepsRevisions() async throws {
        let f = try await Fixture.make()
        let page = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .page, title: "Page"), by: .system)
        var draft = ItemDraft(page)
        draft.title = "First edit"
        f.clock.advance(60)
        let edited = try await f.content.update(in: f.site.id, id: page.id, draft, expectedVersion: 1, by: .system)
        #expect(edited.version == 2)
        #expect(edited.modified > page.modified)
        draft.title = "Second edit from the same start"
        await #expect(throws: PorticoError.self) {
            try await f.content.update(in: f.site.id, id: page.id, draft, expectedVersion: 1, by: .system)
        }
        let revisions = try await f.store.content(of: f.site.id).revisions(of: page.id)
        #expect(revisions.map(\.snapshot.title) == ["Page", "First edit"])
    }

    @Test func renamingKeepsOldLinksWorking() async throws {
        let f = try await Fixture.make()
        let folder = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .folder, title: "Old name"), by: .system)
        let child = try await f.content.create(in: f.site.id, under: folder.id, ItemDraft(type: .page, title: "Child"), by: .system)
        var draft = ItemDraft(folder)
        draft.slug = "new-name"
        let renamed = try await f.content.update(in: f.site.id, id: folder.id, draft, expectedVersion: folder.version, by: .system)
        #expect(renamed.path == "/new-name")
        let store = try await f.store.content(of: f.site.id)
        #expect(try await store.item(id: child.id)?.path == "/new-name/child")
        #expect(try await store.redirect(from: "/old-name/child") == child.id)
        guard case .itemUpdated(_, let before, let after) = f.log.all.last else { Issue.record("no update event"); return }
        #expect(before.path == "/old-name" && after.path == "/new-name")
    }

    @Test func stateChangesAndDeletesPublishEvents() async throws {
        let f = try await Fixture.make()
        let folder = try await f.content.create(in: f.site.id, under: f.root.id, ItemDraft(type: .folder, title: "F"), by: .system)
        let child = try await f.content.create(in: f.site.id, under: folder.id, ItemDraft(type: .page, title: "C"), by: .system)
        let published = try await f.content.setState(in: f.site.id, id: folder.id, to: .published, by: .system)
        #expect(published.state == .published && published.version == 2)
        try await f.content.delete(in: f.site.id, id: folder.id, by: .system)
        #expect(f.log.all.last == .itemDeleted(site: f.site.id, item: published, descendants: [child.id]))
    }

    @Test func blobsAreSniffedNotTrusted() async throws {
        let f = try await Fixture.make()
        let png = SampleMedia.banner(width: 30, height: 20, red: 10, green: 20, blue: 30)
        let (reference, size) = try await f.content.storeBlob(in: f.site.id, data: png, filename: "../../evil\".html")
        #expect(reference.mimeType == "image/png")
        #expect(size == ImageDimensions(width: 30, height: 20))
        #expect(reference.filename == "evil.html")
        await #expect(throws: PorticoError.self) {
            try await f.content.storeBlob(in: f.site.id, data: Data([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2, 3]), filename: "x.png")
        }
    }

    @Test func theDemoSiteHasEverythingTheFoundationPromises() async throws {
        let f = try await Fixture.make()
        let demo = try await DemoSite.create(administration: f.administration, content: f.content, id: "demo", hostnames: ["demo.test"])
        let store = try await f.store.content(of: demo.id)
        let all = try await store.items(matching: ItemQuery(order: .path))
        let types = Dictionary(grouping: all, by: \.type)
        #expect((types[.news] ?? []).count >= 6)
        #expect((types[.event] ?? []).count >= 1)
        #expect((types[.image] ?? []).count >= 1)
        #expect((types[.file] ?? []).count >= 1)
        #expect((types[.link] ?? []).count >= 1)
        #expect(all.contains { $0.state == .private })
        let newsFolder = try #require(try await store.item(path: "/news"))
        #expect(try await store.count(matching: ItemQuery(parentID: newsFolder.id, types: [.news])) >= 5)
    }

    @Test func usersGetBcryptHashes() async throws {
        let f = try await Fixture.make()
        let (user, generated) = try await f.administration.createUser(username: "jane", isPlatformAdmin: false)
        let password = try #require(generated)
        #expect(password.count == 20)
        #expect(user.passwordHash.hasPrefix("$2"))
        #expect(try await f.administration.authenticate(username: "jane", password: password) != nil)
        #expect(try await f.administration.authenticate(username: "jane", password: "wrong-password") == nil)
        _ = try await f.administration.setPassword(username: "jane", password: "a-new-long-password")
        #expect(try await f.administration.authenticate(username: "jane", password: "a-new-long-password") != nil)
        await #expect(throws: PorticoError.self) { _ = try await f.administration.setPassword(username: "jane", password: "short") }
    }
}
