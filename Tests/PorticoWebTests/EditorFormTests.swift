import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

@Suite struct EditorFormTests {
    @Test func addAndEditAPageThroughTheForms() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            let form = try await browser.get("/_edit/add/news?type=news")
            #expect(form.status == .ok)
            #expect(form.body.contains("name=\"title\""))
            let created = try await browser.post("/_edit/add/news", [("type", "news"), ("title", "Rowing club wins"), ("description", "A summary"), ("body", "**Great** race."), ("tags", "sport, river")])
            #expect(created.status == .seeOther)
            #expect(created.location == "/_edit/edit/news/rowing-club-wins?done=created")
            let edit = try await browser.get("/_edit/edit/news/rowing-club-wins?done=created")
            #expect(edit.body.contains("Created."))
            #expect(edit.body.contains("value=\"sport, river\""))
            let saved = try await browser.post("/_edit/edit/news/rowing-club-wins", [("type", "news"), ("version", "1"), ("title", "Rowing club wins the cup"), ("slug", "rowing-cup"), ("body", "Changed."), ("tags", "sport, river")])
            #expect(saved.location == "/_edit/edit/news/rowing-cup?done=saved")
            let publish = try await browser.post("/_edit/transition/news/rowing-cup", [("transition", "publish"), ("comment", "Looks good")])
            #expect(publish.location == "/_edit/edit/news/rowing-cup?done=publish")
        }
        let item = try await f.web.item(f.web.demo, "/news/rowing-cup")
        #expect(item.title == "Rowing club wins the cup")
        #expect(item.state == .published)
        #expect(item.tags == ["sport", "river"])
        #expect(item.creator == f.users["editor"]!.id)
        // The old address still leads there.
        try await f.web.test { client in
            let old = try await client.get("/news/rowing-club-wins")
            #expect(old.status == .movedPermanently)
        }
    }

    @Test func invalidInputKeepsWhatWasTypedAndExplainsEachField() async throws {
        let f = try await EditorFixture.make()
        let before = try await f.web.content(f.web.demo).count(matching: ItemQuery())
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            let response = try await browser.post("/_edit/add/events", [("type", "event"), ("title", ""), ("slug", "Not A Slug"), ("description", "kept <text>"),
                                                                      ("start", "2026-13-45"), ("end", "2026-01-01T10:00"), ("effective", "tomorrow")])
            #expect(response.status == .unprocessableContent)
            #expect(response.body.contains("Please enter a title."))
            #expect(response.body.contains("The short name"))
            #expect(response.body.contains("The start must be a date and time"))
            #expect(response.body.contains("The publishing date must be a date and time"))
            #expect(response.body.contains("kept &lt;text&gt;"))
            #expect(response.body.contains("value=\"Not A Slug\""))
        }
        #expect(try await f.web.content(f.web.demo).count(matching: ItemQuery()) == before)
    }

    @Test func twoEditorsSavingFromTheSameVersionConflict() async throws {
        let f = try await EditorFixture.make()
        let page = try await f.web.item(f.web.demo, "/about/our-history")
        try await f.web.test { client in
            var first = Browser(client)
            var second = Browser(client)
            _ = try await first.login("editor")
            _ = try await second.login("manager")
            _ = try await first.get("/_edit/edit/about/our-history")
            _ = try await second.get("/_edit/edit/about/our-history")
            let version = String(page.version)
            let saved = try await first.post("/_edit/edit/about/our-history", [("type", "page"), ("version", version), ("title", "History (first)")])
            #expect(saved.status == .seeOther)
            let conflict = try await second.post("/_edit/edit/about/our-history", [("type", "page"), ("version", version), ("title", "History (second)")])
            #expect(conflict.status == .conflict)
            #expect(conflict.body.contains("was changed by someone else"))
            #expect(conflict.body.contains("/_edit/history/about/our-history"))
            #expect(conflict.body.contains("value=\"History (second)\""))
        }
        #expect(try await f.web.item(f.web.demo, "/about/our-history").title == "History (first)")
    }

    @Test func uploadsAreSniffedSizedAndLimited() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            _ = try await browser.get("/_edit/add/about?type=image")
            let csrf = browser.csrf ?? ""
            let png = SampleMedia.banner(width: 64, height: 48, red: 200, green: 10, blue: 10)
            let (body, type) = Browser.multipart([("_csrf", csrf), ("type", "image"), ("title", "Red banner")], file: ("file", "banner.png", png))
            let created = try await browser.request("/_edit/add/about", method: .post, body: body, contentType: type)
            #expect(created.status == .seeOther)

            let (fake, fakeType) = Browser.multipart([("_csrf", csrf), ("type", "image"), ("title", "Not an image")], file: ("file", "evil.png", Data("<script>alert(1)</script>".utf8)))
            let rejected = try await browser.request("/_edit/add/about", method: .post, body: fake, contentType: fakeType)
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.body.contains("not a PNG, JPEG, GIF or WebP image"))

            let (binary, binaryType) = Browser.multipart([("_csrf", csrf), ("type", "file"), ("title", "Program")], file: ("file", "a.exe", Data([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00])))
            let refused = try await browser.request("/_edit/add/about", method: .post, body: binary, contentType: binaryType)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("cannot be uploaded"))

            let huge = Data(repeating: 0x41, count: f.web.services.uploadLimit + 2 * 1024 * 1024)
            let (big, bigType) = Browser.multipart([("_csrf", csrf), ("type", "file"), ("title", "Huge")], file: ("file", "huge.txt", huge))
            let tooLarge = try await browser.request("/_edit/add/about", method: .post, body: big, contentType: bigType)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.body.contains("too large"))
        }
        let image = try await f.web.item(f.web.demo, "/about/red-banner")
        #expect(image.blob?.mimeType == "image/png")
        #expect(image.imageSize == ImageDimensions(width: 64, height: 48))
        #expect(try await f.web.content(f.web.demo).item(path: "/about/not-an-image") == nil)
        #expect(try await f.web.content(f.web.demo).item(path: "/about/huge") == nil)
    }

    @Test func bulkPublishDeleteAndReorder() async throws {
        let f = try await EditorFixture.make()
        let docs = try await f.web.item(f.web.demo, "/docs")
        var created: [Item] = []
        for title in ["Alpha", "Beta", "Gamma"] {
            created.append(try await f.web.services.content.create(in: f.web.demo.id, under: docs.id, ItemDraft(type: .page, title: title), by: .system))
        }
        let drafts = created
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            _ = try await browser.get("/_edit/contents/docs")
            let published = try await browser.post("/_edit/contents/docs", [("action", "publish"), ("ids", drafts[0].id.rawValue), ("ids", drafts[1].id.rawValue)])
            #expect(published.location == "/_edit/contents/docs?done=published&n=2")
            #expect(try await browser.get(published.location!).body.contains("Published 2 items."))

            let confirm = try await browser.post("/_edit/contents/docs", [("action", "delete"), ("ids", drafts[2].id.rawValue)])
            #expect(confirm.status == .ok)
            #expect(confirm.body.contains("Delete “Gamma”?"))
            #expect(try await f.web.content(f.web.demo).item(id: drafts[2].id) != nil)
            let deleted = try await browser.post("/_edit/contents/docs", [("action", "delete"), ("confirm", "1"), ("ids", drafts[2].id.rawValue)])
            #expect(deleted.location == "/_edit/contents/docs?done=deleted&n=1")

            let moved = try await browser.post("/_edit/contents/docs", [("down", drafts[0].id.rawValue)])
            #expect(moved.status == .seeOther)
        }
        #expect(try await f.web.item(f.web.demo, "/docs/alpha").state == .published)
        #expect(try await f.web.content(f.web.demo).item(id: drafts[2].id) == nil)
        let order = try await f.web.content(f.web.demo).items(matching: ItemQuery(parentID: docs.id)).map(\.title)
        #expect(order == ["Beta", "Alpha"])
    }
}
