import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Anonymous visitors see published, in-effect items only, on every surface: the page,
/// folder listings, the home page, navigation, the sitemap, the feed and blobs.
@Suite struct VisibilityTests {
    /// Every public surface of the demo site, as one text.
    func everySurface(_ client: any TestClientProtocol, extra: [String] = []) async throws -> String {
        var text = ""
        for path in ["/", "/news", "/events", "/about", "/sitemap.xml", "/feed.xml"] + extra {
            text += try await client.get(path).body
        }
        return text
    }

    @Test func thePrivateDraftIsInvisibleEverywhere() async throws {
        let f = try await WebFixture.make()
        let draft = try await f.item(f.demo, "/news/plans-for-the-new-library-wing")
        #expect(draft.state == .private)
        try await f.test { client in
            let direct = try await client.get(draft.path)
            #expect(direct.status == .notFound)
            #expect(!direct.body.contains("library wing"))
            #expect(try await client.get(draft.path, method: .head).status == .notFound)
            let all = try await everySurface(client)
            #expect(!all.contains("library wing"))
            #expect(!all.contains("plans-for-the-new-library-wing"))
        }
    }

    @Test func pendingScheduledAndExpiredItemsAreInvisible() async throws {
        let f = try await WebFixture.make()
        let news = try await f.item(f.demo, "/news")
        let now = f.clock.now()
        let content = f.services.content
        let pending = try await content.create(in: f.demo.id, under: news.id, ItemDraft(type: .news, title: "Pending zebra story"), state: .pending, by: .system)
        let scheduled = try await content.create(in: f.demo.id, under: news.id, ItemDraft(type: .news, title: "Scheduled giraffe story", effective: now.addingTimeInterval(3600)), state: .published, by: .system)
        let expired = try await content.create(in: f.demo.id, under: news.id, ItemDraft(type: .news, title: "Expired walrus story", effective: now.addingTimeInterval(-7200), expires: now.addingTimeInterval(-3600)), state: .published, by: .system)
        try await f.test { client in
            for item in [pending, scheduled, expired] {
                #expect(try await client.get(item.path).status == .notFound)
            }
            let all = try await everySurface(client)
            for word in ["zebra", "giraffe", "walrus"] { #expect(!all.contains(word)) }
        }
        // When its effective date passes, the scheduled story appears on its own.
        f.clock.advance(3601)
        try await f.test { client in
            let page = try await client.get(scheduled.path)
            let listing = try await client.get("/news")
            let feed = try await client.get("/feed.xml")
            #expect(page.status == .ok)
            #expect(listing.body.contains("giraffe"))
            #expect(feed.body.contains("giraffe"))
        }
    }

    @Test func aPrivateFolderHidesItsPublishedContentAndLeavesTheNavigation() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        let content = f.services.content
        let folder = try await content.create(in: f.demo.id, under: root.id, ItemDraft(type: .folder, title: "Secret projects"), state: .private, by: .system)
        let story = try await content.create(in: f.demo.id, under: folder.id, ItemDraft(type: .news, title: "Hidden otter news"), state: .published, by: .system)
        let png = SampleMedia.banner(width: 8, height: 8, red: 1, green: 2, blue: 3)
        let (blob, size) = try await content.storeBlob(in: f.demo.id, data: png, filename: "otter.png")
        let image = try await content.create(in: f.demo.id, under: folder.id, ItemDraft(type: .image, title: "Otter photo", blob: blob, imageSize: size), state: .published, by: .system)
        try await f.test { client in
            #expect(try await client.get(folder.path).status == .notFound)
            #expect(try await client.get(story.path).status == .notFound)
            #expect(try await client.get(image.path).status == .notFound)
            #expect(try await client.get("/_blob/\(blob.sha256)/otter.png").status == .notFound)
            let all = try await everySurface(client)
            for word in ["Secret projects", "secret-projects", "otter"] { #expect(!all.contains(word)) }
        }
        // Published, the folder appears in the navigation and its content everywhere.
        try await content.setState(in: f.demo.id, id: folder.id, to: .published, by: .system)
        try await f.test { client in
            let home = try await client.get("/").body
            #expect(home.contains("<a href=\"/secret-projects\">Secret projects</a>"))
            #expect(try await client.get("/feed.xml").body.contains("Hidden otter news"))
            #expect(try await client.get("/_blob/\(blob.sha256)/otter.png").status == .ok)
        }
    }
}
