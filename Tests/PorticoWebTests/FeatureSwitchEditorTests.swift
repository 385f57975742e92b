import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Feature switches on the editing side: the login freeze, uploads, and the administrators'
/// page at `/_edit/flags`.
@Suite struct FeatureSwitchEditorTests {
    static func withAdministrator() async throws -> EditorFixture {
        let f = try await EditorFixture.make()
        _ = try await f.web.services.administration.createUser(username: "root", password: EditorFixture.password, isPlatformAdmin: true)
        return f
    }

    static func set(_ flag: FeatureFlag, _ on: Bool, _ f: EditorFixture) async throws {
        try await f.web.services.switchboard.set(flag, enabled: on, by: .system, actor: "test")
    }

    @Test func loginOffFreezesEditingForEveryoneButAdministrators() async throws {
        let f = try await Self.withAdministrator()
        let page = try await f.web.item(f.web.demo, "/about/our-history")
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            #expect(try await editor.get("/_edit/").status == .ok)
            let token = editor.csrf ?? ""

            try await Self.set(.login, false, f)
            // The editor's session now counts as anonymous: no dashboard, no edit bar, no saving.
            let dashboard = try await editor.get("/_edit/")
            #expect(dashboard.status == .seeOther)
            #expect(dashboard.location?.hasPrefix("/_login") == true)
            #expect(!(try await editor.get("/").body.contains("/_edit/edit/")))
            let save = try await editor.post("/_edit/edit/about/our-history", [("type", "page"), ("version", String(page.version)), ("title", "Frozen")], csrf: token)
            #expect(save.status == .forbidden)
            #expect(editor.cookies["portico_session"] != nil)  // kept for when the freeze ends

            // The form says so; a non-administrator cannot log in, whatever they type.
            var contributor = Browser(client)
            let form = try await contributor.get("/_login")
            #expect(form.status == .ok)
            #expect(form.body.contains("Logging in is switched off for now"))
            let refused = try await contributor.login("contributor")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "300")
            #expect(refused.body.contains("only platform administrators can log in"))
            #expect(contributor.cookies["portico_session"] == nil)
            let wrong = try await contributor.login("contributor", password: "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.contains("Logging in is switched off for now"))

            // Administrators still can.
            var admin = Browser(client)
            #expect(try await admin.login("root").status == .seeOther)
            #expect(try await admin.get("/_edit/").status == .ok)

            // When the freeze ends, the editor's old session works again.
            try await Self.set(.login, true, f)
            #expect(try await editor.get("/_edit/").status == .ok)
            #expect(try await contributor.login("contributor").status == .seeOther)
        }
        #expect(try await f.web.item(f.web.demo, "/about/our-history").title == page.title)
    }

    @Test func uploadsOffHidesFileFieldsAndRefusesFilesButTextStillSaves() async throws {
        let f = try await EditorFixture.make()
        let page = try await f.web.item(f.web.demo, "/about/our-history")
        try await Self.set(.uploads, false, f)
        try await f.web.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            let form = try await editor.get("/_edit/add/about?type=image")
            #expect(form.status == .ok)
            #expect(!form.body.contains("type=\"file\""))
            #expect(form.body.contains("Uploading images and files is switched off for now."))

            let png = SampleMedia.banner(width: 8, height: 8, red: 1, green: 2, blue: 3)
            let (body, type) = Browser.multipart([("_csrf", editor.csrf ?? ""), ("type", "image"), ("title", "Kept title"), ("description", "Kept summary")], file: ("file", "banner.png", png))
            let refused = try await editor.request("/_edit/add/about", method: .post, body: body, contentType: type)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("switched off"))
            #expect(refused.body.contains("value=\"Kept title\""))
            #expect(refused.body.contains("Kept summary"))

            // Editing text works as usual.
            let saved = try await editor.post("/_edit/edit/about/our-history", [("type", "page"), ("version", String(page.version)), ("title", "Our history, revised"), ("body", "New text.")])
            #expect(saved.status == .seeOther)

            // The site logo is an upload too.
            var manager = Browser(client)
            _ = try await manager.login("manager")
            let settings = try await manager.get("/_edit/settings")
            #expect(!settings.body.contains("name=\"logo\""))
            let (logo, logoType) = Browser.multipart([("_csrf", manager.csrf ?? ""), ("name", "Northfield College"), ("accentColor", "#1d4f91"), ("hostnames", "demo.test")], file: ("logo", "logo.png", png))
            let logoRefused = try await manager.request("/_edit/settings", method: .post, body: logo, contentType: logoType)
            #expect(logoRefused.status == .unprocessableContent)
            #expect(logoRefused.body.contains("The logo was not saved."))

            try await Self.set(.uploads, true, f)
            #expect(try await editor.get("/_edit/add/about?type=image").body.contains("type=\"file\""))
        }
        #expect(try await f.web.content(f.web.demo).item(path: "/about/kept-title") == nil)
        #expect(try await f.web.item(f.web.demo, "/about/our-history").title == "Our history, revised")
        #expect(try await f.web.store.site(f.web.demo.id)?.settings.logo == nil)
    }

    @Test func administratorsSwitchFlagsOnTheirPage() async throws {
        let f = try await Self.withAdministrator()
        try await f.web.test { client in
            var admin = Browser(client)
            _ = try await admin.login("root")
            let dashboard = try await admin.get("/_edit/")
            #expect(dashboard.body.contains("/_edit/flags"))
            let page = try await admin.get("/_edit/flags")
            #expect(page.status == .ok)
            for flag in FeatureFlag.allCases { #expect(page.body.contains("value=\"\(flag.name)\"")) }
            #expect(page.body.contains("never changed"))

            let off = try await admin.post("/_edit/flags", [("flag", "feeds"), ("enabled", "off")])
            #expect(off.status == .seeOther)
            #expect(off.location == "/_edit/flags?done=off&flag=feeds")
            #expect(!f.web.services.switchboard.isOn(.feeds))
            let stored = try await f.web.store.featureFlags()
            #expect(!stored.isOn(.feeds))
            #expect(stored.changes[.feeds]?.by == "root")
            let after = try await admin.get("/_edit/flags?done=off&flag=feeds")
            #expect(after.body.contains("“feeds” is off."))
            #expect(after.body.contains("by root"))
            #expect(try await client.get("/feed.xml").status == .serviceUnavailable)
            #expect(try await admin.get("/_edit/").body.contains("off: feeds"))

            #expect(try await admin.post("/_edit/flags", [("flag", "feeds"), ("enabled", "on")]).status == .seeOther)
            #expect(try await client.get("/feed.xml").status == .ok)

            // Bad input: a wrong token, an unknown flag, a value that is neither on nor off.
            #expect(try await admin.post("/_edit/flags", [("flag", "feeds"), ("enabled", "off")], csrf: "forged").status == .forbidden)
            #expect(try await admin.post("/_edit/flags", [("flag", "comments"), ("enabled", "off")]).status == .badRequest)
            #expect(try await admin.post("/_edit/flags", [("flag", "feeds"), ("enabled", "maybe")]).status == .badRequest)
            #expect(f.web.services.switchboard.isOn(.feeds))

            // To anyone else the page does not exist.
            var manager = Browser(client)
            _ = try await manager.login("manager")
            #expect(try await manager.get("/_edit/flags").status == .notFound)
            #expect(try await manager.post("/_edit/flags", [("flag", "feeds"), ("enabled", "off")]).status == .notFound)
            #expect(!(try await manager.get("/_edit/").body.contains("/_edit/flags")))
            var visitor = Browser(client)
            #expect(try await visitor.get("/_edit/flags").status == .seeOther)
            #expect(try await visitor.post("/_edit/flags", [("flag", "feeds"), ("enabled", "off")]).status == .notFound)
        }
        #expect(f.web.services.switchboard.isOn(.feeds))
    }
}
