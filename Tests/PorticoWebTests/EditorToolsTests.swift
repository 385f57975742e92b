import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// History and revert, sharing, site settings, users, move and copy.
@Suite struct EditorToolsTests {
    @Test func historyShowsADiffAndRevertMakesANewRevision() async throws {
        let f = try await EditorFixture.make()
        let page = try await f.web.item(f.web.demo, "/about/our-history")
        var draft = ItemDraft(page)
        draft.title = "Our long history"
        draft.body = page.body.replacingOccurrences(of: "1891", with: "1890")
        let edited = try await f.web.services.content.update(in: f.web.demo.id, id: page.id, draft, expectedVersion: page.version, by: f.principal("editor"))
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            let history = try await browser.get("/_edit/history/about/our-history?a=\(page.version)&b=\(edited.version)")
            #expect(history.status == .ok)
            #expect(history.body.contains("Changes from version \(page.version) to version \(edited.version)"))
            #expect(history.body.contains("Our long history"))
            #expect(history.body.contains("diff-removed"))
            #expect(history.body.contains("diff-added"))
            let reverted = try await browser.post("/_edit/revert/about/our-history", [("version", String(page.version)), ("expected", String(edited.version))])
            #expect(reverted.status == .seeOther)
            // Reverting from a stale version is a conflict, not an overwrite.
            let stale = try await browser.post("/_edit/revert/about/our-history", [("version", String(page.version)), ("expected", String(edited.version))])
            #expect(stale.status == .conflict)
        }
        let now = try await f.web.item(f.web.demo, "/about/our-history")
        #expect(now.title == page.title)
        #expect(now.body == page.body)
        #expect(now.version == edited.version + 1)
        let revisions = try await f.web.content(f.web.demo).revisions(of: page.id)
        #expect(revisions.last?.comment == "Reverted to version \(page.version)")
    }

    @Test func managersShareFoldersAndOthersCannot() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            #expect(try await editor.get("/_edit/sharing/docs").status == .forbidden)

            var manager = Browser(client)
            _ = try await manager.login("manager")
            let page = try await manager.get("/_edit/sharing/docs")
            #expect(page.status == .ok)
            #expect(page.body.contains("(inherited)"))
            let shared = try await manager.post("/_edit/sharing/docs", [("username", "outsider"), ("role", "editor")])
            #expect(shared.location == "/_edit/sharing/docs?done=shared")
            let unknown = try await manager.post("/_edit/sharing/docs", [("username", "nobody"), ("role", "editor")])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.body.contains("There is no user “nobody”."))
        }
        let docs = try await f.web.item(f.web.demo, "/docs")
        let grants = try await f.web.store.grants(site: f.web.demo.id, user: f.users["outsider"]!.id, on: [docs.id])
        #expect(grants.map(\.role) == [.editor])
        // The new local role works at once, below /docs only.
        let inside = try await f.web.services.content.create(in: f.web.demo.id, under: docs.id, ItemDraft(type: .page, title: "Shared draft"), by: .system)
        try await f.web.test { client in
            var outsider = Browser(client)
            _ = try await outsider.login("outsider")
            #expect(try await outsider.get("/_edit/edit" + inside.path).status == .ok)
            #expect(try await outsider.get("/_edit/edit/about/our-history").status == .forbidden)
        }
    }

    @Test func managersChangeSiteSettingsWithValidation() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            #expect(try await editor.get("/_edit/settings").status == .forbidden)

            var manager = Browser(client)
            _ = try await manager.login("manager")
            #expect(try await manager.get("/_edit/settings").status == .ok)
            let bad = try await manager.post("/_edit/settings", [("name", "Northfield"), ("accentColor", "red; }</style><script>"), ("hostnames", "demo.test")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("must be a colour like #1d4f91"))
            let taken = try await manager.post("/_edit/settings", [("name", "Northfield"), ("accentColor", "#aa3300"), ("hostnames", "demo.test\nbeta.test")])
            #expect(taken.status == .unprocessableContent)
            #expect(taken.body.contains("Hostname beta.test already exists."))
            let saved = try await manager.post("/_edit/settings", [("name", "Northfield University"), ("tagline", "New"), ("accentColor", "#AA3300"), ("footerText", "Footer"), ("hostnames", "demo.test\nwww.demo.test")])
            #expect(saved.status == .seeOther)
            let home = try await manager.get("/")
            #expect(home.body.contains("Northfield University"))
            #expect(home.body.contains("--accent:#aa3300"))
            var visitor = Browser(client, host: "www.demo.test")
            #expect(try await visitor.get("/").status == .ok)
        }
    }

    @Test func usersPageListsRolesAndAdministratorsCreateAccounts() async throws {
        let f = try await EditorFixture.make()
        _ = try await f.web.services.administration.createUser(username: "root", password: EditorFixture.password, isPlatformAdmin: true)
        try await f.web.test { client in
            var manager = Browser(client)
            _ = try await manager.login("manager")
            let page = try await manager.get("/_edit/users")
            #expect(page.status == .ok)
            #expect(page.body.contains("contributor"))
            #expect(!page.body.contains("Create an account"))
            let refused = try await manager.post("/_edit/users", [("username", "newbie")])
            #expect(refused.status == .forbidden)

            var admin = Browser(client)
            _ = try await admin.login("root")
            let created = try await admin.post("/_edit/users", [("username", "newbie"), ("displayName", "New Person")])
            #expect(created.status == .ok)
            #expect(created.body.contains("Account <strong>newbie</strong> created"))
        }
        #expect(try await f.web.store.user(username: "newbie") != nil)
    }

    @Test func moveAndCopyKeepOldAddressesAndMakeDrafts() async throws {
        let f = try await EditorFixture.make()
        let history = try await f.web.item(f.web.demo, "/about/our-history")
        let contact = try await f.web.item(f.web.demo, "/contact")
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            let moved = try await editor.post("/_edit/contents/about", [("action", "move"), ("destination", "/docs"), ("ids", history.id.rawValue)])
            #expect(moved.location == "/_edit/contents/docs?done=movedto&n=1")
            let copied = try await editor.post("/_edit/contents/", [("action", "copy"), ("destination", "/docs"), ("ids", contact.id.rawValue)])
            #expect(copied.location == "/_edit/contents/docs?done=copied&n=1")
            let intoItself = try await editor.post("/_edit/contents/", [("action", "move"), ("destination", "/docs"), ("ids", try await f.web.item(f.web.demo, "/docs").id.rawValue)])
            #expect(intoItself.location?.contains("skipped=1") == true)

            var visitor = Browser(client)
            let old = try await visitor.get("/about/our-history")
            #expect(old.status == .movedPermanently)
            #expect(old.location == "/docs/our-history")
        }
        let copy = try await f.web.item(f.web.demo, "/docs/contact")
        #expect(copy.id != contact.id)
        #expect(copy.state == .private)
        #expect(copy.body == contact.body)
        #expect(try await f.web.item(f.web.demo, "/contact").state == .published)
    }
}
