import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Imported mail messages as pages: sender, date, the thread, and archive folders a page at a time.
@Suite struct MessagePageTests {
    func message(_ subject: String, id: String, thread: String, minute: Int, body: String = "Hello <all> & welcome") -> ItemDraft {
        let date = Date(timeIntervalSince1970: 1_104_742_800 + TimeInterval(minute * 60))
        return ItemDraft(type: .message, title: subject, body: body, effective: date,
                         message: MessageDetails(messageID: id, from: "Alice <alice@example.org>", date: date, list: "town-talk", threadID: thread))
    }

    @Test func aMessageShowsItsSenderTextAndThread() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        let folder = try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .folder, title: "Town talk"), state: .published, by: .system)
        let created = try await f.services.content.createMany(in: f.demo.id, under: folder.id, [
            message("Meeting", id: "a@x", thread: "a@x", minute: 0),
            message("Re: Meeting", id: "b@x", thread: "a@x", minute: 5),
            message("Other topic", id: "c@x", thread: "c@x", minute: 7),
        ], state: .published, by: .system)
        try await f.test { client in
            let page = try await client.get(created[0].path)
            #expect(page.status == .ok)
            #expect(page.body.contains("Alice &lt;alice@example.org&gt;"))
            #expect(page.body.contains("<div class=\"message-text\">Hello &lt;all&gt; &amp; welcome</div>"))
            #expect(page.body.contains("In this thread"))
            #expect(page.body.contains("href=\"\(created[1].path)\""))
            #expect(!page.body.contains("Other topic"))
            // A reply added later appears in the cached thread at once.
            #expect(try await client.get(created[1].path).body.contains("aria-current=\"page\">Re: Meeting"))
            try await f.services.content.createMany(in: f.demo.id, under: folder.id, [message("Re: Re: Meeting", id: "d@x", thread: "a@x", minute: 9)], state: .published, by: .system)
            #expect(try await client.get(created[0].path).body.contains("Re: Re: Meeting"))
            // Messages are not offered in the editor's add menu.
            #expect(try await client.get("/_edit/add?type=message").status != .ok)
        }
    }

    @Test func aLargeFolderIsListedAPageAtATimeNewestFirst() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        let folder = try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .folder, title: "Archive"), state: .published, by: .system)
        let drafts = (0..<520).map { message("Message number \($0)", id: "m\($0)@x", thread: "m\($0)@x", minute: $0) }
        try await f.services.content.createMany(in: f.demo.id, under: folder.id, drafts, state: .published, by: .system)
        try await f.services.content.createMany(in: f.demo.id, under: folder.id, [message("Secret message", id: "s@x", thread: "s@x", minute: 600)], state: .private, by: .system)
        try await f.test { client in
            let first = try await client.get(folder.path)
            #expect(first.status == .ok)
            #expect(first.body.contains("Page 1 of 6 (520 items, newest first)"))
            #expect(first.body.contains("Message number 519"))
            #expect(!first.body.contains("Secret message"))
            #expect(!first.body.contains("Message number 0<"))
            let last = try await client.get(folder.path + "?page=6")
            #expect(last.body.contains("Message number 0<") && last.body.contains("rel=\"prev\""))
            #expect(try await client.get(folder.path + "?page=banana").status == .ok)
        }
    }
}
