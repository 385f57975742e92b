import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// The platform admin UI for sites (`/_edit/sites`): create, copy, import, hostnames,
/// maintenance, delete, export, backup and check, for platform administrators only.
/// Serialized: one test counts the scratch folders the others would also create.
@Suite(.serialized) struct SiteAdminTests {
    static func fixture() async throws -> EditorFixture {
        let f = try await EditorFixture.make()
        _ = try await f.web.services.administration.createUser(username: "root", password: EditorFixture.password, isPlatformAdmin: true)
        return f
    }

    /// Runs `body` against the application, optionally with a backup folder configured.
    static func run(_ f: EditorFixture, backupFolder: URL? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var services = f.web.services
        services.backupFolder = backupFolder
        let app = Application(responder: PorticoApplication.responder(services))
        try await app.test(.router) { client in try await body(client) }
    }

    static func admin(_ client: any TestClientProtocol) async throws -> Browser {
        var admin = Browser(client)
        #expect(try await admin.login("root").status == .seeOther)
        return admin
    }

    /// The public page at `path` of two sites, with each one's hostname replaced by HOST.
    static func samePage(_ client: any TestClientProtocol, _ path: String, _ a: String, _ b: String) async throws -> Bool {
        let left = try await client.get(path, host: a)
        let right = try await client.get(path, host: b)
        #expect(left.status == .ok)
        return left.status == right.status
            && left.body.replacingOccurrences(of: a, with: "HOST") == right.body.replacingOccurrences(of: b, with: "HOST")
    }

    static func upload(_ browser: inout Browser, archive: Data, id: String, hostnames: String, csrf: String? = nil) async throws -> Browser.Page {
        let (body, type) = Browser.multipart([("_csrf", csrf ?? browser.csrf ?? ""), ("id", id), ("hostnames", hostnames)], file: ("archive", "site.zip", archive))
        return try await browser.request("/_edit/sites/import", method: .post, body: body, contentType: type)
    }

    static func scratchFolders() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        return Set(names.filter { $0.hasPrefix("portico-admin-") })
    }

    // MARK: Access

    @Test func nobodyButAdministratorsFindsThePages() async throws {
        let f = try await Self.fixture()
        let pages = ["/_edit/sites", "/_edit/sites/demo", "/_edit/sites/beta", "/_edit/sites/beta/delete"]
        let posts: [(String, [(String, String)])] = [
            ("/_edit/sites", [("id", "sneaky"), ("name", "Sneaky"), ("hostnames", "sneaky.test")]),
            ("/_edit/sites/beta/hostnames", [("hostnames", "stolen.test")]),
            ("/_edit/sites/beta/status", [("enabled", "off")]),
            ("/_edit/sites/beta/delete", [("confirm", "1")]),
            ("/_edit/sites/beta/export", []), ("/_edit/sites/beta/backup", []), ("/_edit/sites/beta/check", []),
        ]
        try await Self.run(f) { client in
            var manager = Browser(client)
            _ = try await manager.login("manager")
            for page in pages { #expect(try await manager.get(page).status == .notFound, "\(page)") }
            for (path, fields) in posts { #expect(try await manager.post(path, fields).status == .notFound, "\(path)") }
            let archive = Data("PK".utf8)
            #expect(try await Self.upload(&manager, archive: archive, id: "sneaky", hostnames: "sneaky.test").status == .notFound)
            #expect(!(try await manager.get("/_edit/").body.contains("/_edit/sites")))

            var visitor = Browser(client)
            for page in pages {
                let response = try await visitor.get(page)
                #expect(response.status == .seeOther)
                #expect(response.location?.hasPrefix("/_login") == true)
            }
            for (path, fields) in posts { #expect(try await visitor.post(path, fields).status == .notFound, "\(path)") }
        }
        let sites = try await f.web.store.sites()
        #expect(sites.map(\.id.rawValue).sorted() == ["beta", "demo"])
        #expect(sites.first { $0.id.rawValue == "beta" }?.status == .active)
        #expect(sites.first { $0.id.rawValue == "beta" }?.hostnames == ["beta.test", "www.beta.test"])
    }

    @Test func aForgedTokenIsRefusedAndChangesNothing() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let forged: [(String, [(String, String)])] = [
                ("/_edit/sites", [("id", "forged"), ("name", "Forged"), ("hostnames", "forged.test")]),
                ("/_edit/sites/beta/hostnames", [("hostnames", "stolen.test")]),
                ("/_edit/sites/beta/status", [("enabled", "off")]),
                ("/_edit/sites/beta/delete", [("confirm", "1")]),
                ("/_edit/sites/beta/export", []), ("/_edit/sites/beta/backup", []), ("/_edit/sites/beta/check", []),
            ]
            for (path, fields) in forged { #expect(try await admin.post(path, fields, csrf: "forged").status == .forbidden, "\(path)") }
            let export = try await Self.download(admin, "/_edit/sites/demo/export")
            #expect(export.status == .ok)
            let upload = try await Self.upload(&admin, archive: export.data, id: "forged", hostnames: "forged.test", csrf: "forged")
            #expect(upload.status == .forbidden)
            // Another site's page may not post here, whatever token it carries.
            let (body, type) = Browser.multipart([("_csrf", admin.csrf ?? ""), ("id", "forged"), ("hostnames", "forged.test")], file: ("archive", "a.zip", Data("PK".utf8)))
            let crossSite = try await admin.request("/_edit/sites/import", method: .post, body: body, contentType: type, extraHeaders: [HTTPField.Name("Origin")!: "http://evil.test"])
            #expect(crossSite.status == .forbidden)
        }
        let sites = try await f.web.store.sites()
        #expect(sites.map(\.id.rawValue).sorted() == ["beta", "demo"])
        #expect(sites.first { $0.id.rawValue == "beta" }?.status == .active)
        #expect(sites.first { $0.id.rawValue == "beta" }?.hostnames == ["beta.test", "www.beta.test"])
    }

    // MARK: Creating

    @Test func administratorsCreateBlankSitesAndCopies() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            #expect(try await admin.get("/_edit/").body.contains("/_edit/sites"))
            let list = try await admin.get("/_edit/sites")
            #expect(list.status == .ok)
            #expect(list.body.contains("Beta Institute"))
            #expect(list.body.contains("beta.test, www.beta.test"))
            #expect(list.body.contains("href=\"http://beta.test/\""))
            #expect(list.body.contains("<option value=\"demo\">"))

            let created = try await admin.post("/_edit/sites", [("id", "news"), ("name", "Campus News"), ("hostnames", "news.test\nwww.news.test"), ("copyFrom", "")])
            #expect(created.status == .seeOther)
            #expect(created.location == "/_edit/sites/news?done=created&site=news")
            let page = try await admin.get(created.location ?? "")
            #expect(page.body.contains("Site “news” created."))
            #expect(page.body.contains("Campus News"))
            let home = try await client.get("/", host: "www.news.test")
            #expect(home.status == .ok)
            #expect(home.body.contains("Welcome to Campus News."))

            // A copy of the demo site serves the same pages on its own hostname.
            let copied = try await admin.post("/_edit/sites", [("id", "college"), ("name", ""), ("hostnames", "college.test"), ("copyFrom", "demo")])
            #expect(copied.status == .seeOther)
            #expect(copied.location == "/_edit/sites/college?done=copied&site=college")
            for path in ["/", "/about", "/about/our-history", "/news", "/sitemap.xml"] {
                #expect(try await Self.samePage(client, path, "demo.test", "college.test"), "\(path)")
            }
            let image = try await f.web.item(f.web.demo, "/about/the-riverside-campus")
            #expect(try await client.get("/_blob/\(image.blob?.sha256 ?? "")/campus.png", host: "college.test").status == .ok)
            // A copy under a new name keeps everything else.
            let renamed = try await admin.post("/_edit/sites", [("id", "annex"), ("name", "The Annex"), ("hostnames", "annex.test"), ("copyFrom", "demo")])
            #expect(renamed.status == .seeOther)
            #expect(try await client.get("/about/our-history", host: "annex.test").status == .ok)

            // Refusals come back inline, with what was typed.
            let taken = try await admin.post("/_edit/sites", [("id", "beta"), ("name", "Again"), ("hostnames", "again.test"), ("copyFrom", "")])
            #expect(taken.status == .conflict)
            #expect(taken.body.contains("already exists"))
            #expect(taken.body.contains("value=\"Again\""))
            let hostTaken = try await admin.post("/_edit/sites", [("id", "again"), ("name", "Again"), ("hostnames", "beta.test"), ("copyFrom", "demo")])
            #expect(hostTaken.status == .conflict)
            #expect(hostTaken.body.contains("beta.test"))
            #expect(hostTaken.body.contains("<option value=\"demo\" selected>"))
            let badID = try await admin.post("/_edit/sites", [("id", "Not An Id"), ("name", "Bad"), ("hostnames", "bad.test")])
            #expect(badID.status == .unprocessableContent)
            #expect(badID.body.contains("The site id must start with a lowercase letter."))
            #expect(try await admin.post("/_edit/sites", [("id", "nohost"), ("name", "No host"), ("hostnames", " ")]).status == .unprocessableContent)
            #expect(try await admin.post("/_edit/sites", [("id", "noname"), ("name", ""), ("hostnames", "noname.test")]).status == .unprocessableContent)
            let badHost = try await admin.post("/_edit/sites", [("id", "badhost"), ("name", "Bad host"), ("hostnames", "under_score.test")])
            #expect(badHost.status == .unprocessableContent)
            #expect(badHost.body.contains("is not a valid host name"))
            let longName = try await admin.post("/_edit/sites", [("id", "long"), ("name", String(repeating: "x", count: 201)), ("hostnames", "long.test"), ("copyFrom", "demo")])
            #expect(longName.status == .unprocessableContent)
            #expect(longName.body.contains("The name must be at most 200 characters."))
            let noSource = try await admin.post("/_edit/sites", [("id", "orphan"), ("name", ""), ("hostnames", "orphan.test"), ("copyFrom", "nosuch")])
            #expect(noSource.status == .notFound)
            #expect(noSource.body.contains("Site nosuch not found."))
        }
        let sites = try await f.web.store.sites()
        #expect(sites.map(\.id.rawValue).sorted() == ["annex", "beta", "college", "demo", "news"])
        #expect(sites.first { $0.id.rawValue == "college" }?.settings.name == f.web.demo.settings.name)
        #expect(sites.first { $0.id.rawValue == "annex" }?.settings.name == "The Annex")
        #expect(Self.stagingIsEmpty(f))
    }

    @Test func theTableShowsAHundredSitesAtATimeAndFindsByPartOfANameOrHostname() async throws {
        let f = try await Self.fixture()
        for index in 0..<99 {
            try await f.web.services.administration.createSite(id: String(format: "site-%03d", index), name: "Site \(index)", hostnames: ["s\(index).test"])
        }
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let first = try await admin.get("/_edit/sites")
            #expect(first.body.contains("Sites 1–100 of 101."))
            #expect(first.body.contains("/_edit/sites/beta\""))
            #expect(!first.body.contains("/_edit/sites/site-098\""))
            #expect(first.body.contains("href=\"/_edit/sites?page=2\""))
            let second = try await admin.get("/_edit/sites?page=2")
            #expect(second.body.contains("/_edit/sites/site-098\""))
            #expect(second.body.contains("href=\"/_edit/sites?page=1\""))
            let found = try await admin.get("/_edit/sites?q=Northfield")
            #expect(found.body.contains("Sites 1–1 of 1 matching."))
            #expect(found.body.contains("/_edit/sites/demo\""))
            #expect(!found.body.contains("/_edit/sites/beta\""))
            #expect(try await admin.get("/_edit/sites?q=s42.test").body.contains("/_edit/sites/site-042\""))
            #expect(try await admin.get("/_edit/sites?q=nothing-like-this").body.contains("No site matches."))
        }
    }

    static func stagingIsEmpty(_ f: EditorFixture) -> Bool {
        let staging = f.web.folder.appendingPathComponent("staging")
        return ((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).isEmpty
    }

    // MARK: Changing

    @Test func hostnamesAreEditedAndConflictsKeepTheInput() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let page = try await admin.get("/_edit/sites/beta")
            #expect(page.status == .ok)
            #expect(page.body.contains("beta.test\nwww.beta.test"))

            let saved = try await admin.post("/_edit/sites/beta/hostnames", [("hostnames", "beta.test\r\nresearch.test\r\n")])
            #expect(saved.status == .seeOther)
            #expect(saved.location == "/_edit/sites/beta?done=hostnames&site=beta")
            #expect(try await client.get("/", host: "research.test").status == .ok)
            #expect(try await client.get("/", host: "www.beta.test").status == .notFound)

            let conflict = try await admin.post("/_edit/sites/beta/hostnames", [("hostnames", "beta.test\ndemo.test\nkept.test")])
            #expect(conflict.status == .conflict)
            #expect(conflict.body.contains("Hostname demo.test already exists."))
            #expect(conflict.body.contains("beta.test\ndemo.test\nkept.test</textarea>"))
            let empty = try await admin.post("/_edit/sites/beta/hostnames", [("hostnames", "")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.body.contains("A site needs at least one hostname."))
            #expect(try await admin.get("/_edit/sites/nosuch").status == .notFound)
            #expect(try await admin.post("/_edit/sites/nosuch/hostnames", [("hostnames", "x.test")]).status == .notFound)
        }
        #expect(try await f.web.store.site(f.web.beta.id)?.hostnames == ["beta.test", "research.test"])
        #expect(f.web.services.directory.site(forHost: "demo.test")?.id == f.web.demo.id)
    }

    @Test func maintenanceClosesASiteToEveryoneAndReopensIt() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let off = try await admin.post("/_edit/sites/beta/status", [("enabled", "off")])
            #expect(off.status == .seeOther)
            #expect(off.location == "/_edit/sites/beta?done=disabled&site=beta")
            let closed = try await client.get("/", host: "beta.test")
            #expect(closed.status == .serviceUnavailable)
            #expect(closed.body.contains("maintenance"))
            let page = try await admin.get(off.location ?? "")
            #expect(page.body.contains("“beta” is in maintenance"))
            #expect(page.body.contains("Reopen the site"))
            #expect(try await admin.get("/_edit/sites").body.contains("Maintenance"))

            let on = try await admin.post("/_edit/sites/beta/status", [("enabled", "on")])
            #expect(on.status == .seeOther)
            #expect(try await client.get("/", host: "beta.test").status == .ok)

            // Not the site this page is served from: that would lock the administrator out.
            let own = try await admin.post("/_edit/sites/demo/status", [("enabled", "off")])
            #expect(own.status == .conflict)
            #expect(own.body.contains("portico site disable demo"))
            #expect(try await admin.post("/_edit/sites/beta/status", [("enabled", "maybe")]).status == .badRequest)
        }
        #expect(try await f.web.store.site(f.web.demo.id)?.status == .active)
        #expect(try await f.web.store.site(f.web.beta.id)?.status == .active)
    }

    @Test func deletingAsksFirstThenMovesTheSiteToTheTrash() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let confirm = try await admin.get("/_edit/sites/beta/delete")
            #expect(confirm.status == .ok)
            #expect(confirm.body.contains("Delete the site “Beta Institute”?"))
            #expect(confirm.body.contains("name=\"confirm\" value=\"1\""))

            // Without the confirmation, the question is asked again and nothing happens.
            let unconfirmed = try await admin.post("/_edit/sites/beta/delete")
            #expect(unconfirmed.status == .seeOther)
            #expect(unconfirmed.location == "/_edit/sites/beta/delete")
            #expect(try await client.get("/", host: "beta.test").status == .ok)

            let deleted = try await admin.post("/_edit/sites/beta/delete", [("confirm", "1")])
            #expect(deleted.status == .seeOther)
            #expect(deleted.location == "/_edit/sites?done=deleted&site=beta")
            #expect(try await admin.get(deleted.location ?? "").body.contains("Site “beta” deleted."))
            #expect(try await client.get("/", host: "beta.test").status == .notFound)
            #expect(try await admin.get("/_edit/sites/beta").status == .notFound)

            let own = try await admin.get("/_edit/sites/demo/delete")
            #expect(own.status == .conflict)
            #expect(try await admin.post("/_edit/sites/demo/delete", [("confirm", "1")]).status == .conflict)
        }
        #expect(try await f.web.store.site(f.web.beta.id) == nil)
        #expect(try await f.web.store.site(f.web.demo.id) != nil)
        let trash = try FileManager.default.contentsOfDirectory(atPath: f.web.store.trashFolder.path)
        #expect(trash.contains { $0.hasPrefix("beta-") })
    }

    // MARK: Archives

    /// POSTs `path` and returns the raw bytes (a download is not text).
    static func download(_ browser: Browser, _ path: String) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, data: Data) {
        var headers: HTTPFields = [hostField: browser.host, .contentType: "application/x-www-form-urlencoded"]
        headers[.cookie] = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let body = ByteBuffer(string: "_csrf=\(Browser.encode(browser.csrf ?? ""))")
        return try await browser.client.execute(uri: path, method: .post, headers: headers, body: body) { response in
            (response.status, response.headers, Data(response.body.readableBytesView))
        }
    }

    @Test func anExportDownloadsAsAZipThatImportsAgain() async throws {
        let f = try await Self.fixture()
        let scratchBefore = Self.scratchFolders()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let export = try await Self.download(admin, "/_edit/sites/demo/export")
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "application/zip")
            #expect(export.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"demo-") == true)
            #expect(export.headers[.cacheControl] == "private, no-store")
            #expect(export.data.starts(with: [0x50, 0x4b, 0x03, 0x04]))
            #expect(export.data.count > 32 * 1024)  // spans several chunks of the test client's upload

            let imported = try await Self.upload(&admin, archive: export.data, id: "mirror", hostnames: "mirror.test\nwww.mirror.test")
            #expect(imported.status == .seeOther)
            #expect(imported.location == "/_edit/sites/mirror?done=imported&site=mirror&n=0")
            #expect(try await admin.get(imported.location ?? "").body.contains("Site “mirror” imported."))
            for path in ["/", "/about/our-history", "/news"] {
                #expect(try await Self.samePage(client, path, "demo.test", "www.mirror.test"), "\(path)")
            }
        }
        #expect(try await f.web.store.site(SiteID("mirror"))?.hostnames == ["mirror.test", "www.mirror.test"])
        // The archive was streamed from a scratch file that is gone, as is the upload's.
        #expect(Self.scratchFolders() == scratchBefore)
        #expect(Self.stagingIsEmpty(f))
    }

    @Test func aBadArchiveIsRefusedWith422AndCreatesNothing() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let export = try await Self.download(admin, "/_edit/sites/demo/export")
            #expect(export.status == .ok)

            let truncated = try await Self.upload(&admin, archive: export.data.prefix(export.data.count * 2 / 3), id: "broken", hostnames: "broken.test")
            #expect(truncated.status == .unprocessableContent)
            #expect(truncated.body.contains("The archive was not imported: the archive is truncated"))
            #expect(truncated.body.contains("value=\"broken\""))
            #expect(truncated.body.contains("broken.test</textarea>"))

            var corrupt = export.data
            let middle = corrupt.count / 2
            corrupt.replaceSubrange(middle..<(middle + 64), with: Data(repeating: 0xff, count: 64))
            let damaged = try await Self.upload(&admin, archive: corrupt, id: "broken", hostnames: "broken.test")
            #expect(damaged.status == .unprocessableContent)
            #expect(damaged.body.contains("The archive was not imported"))

            let text = try await Self.upload(&admin, archive: Data("This is a text file, not an archive.\n".utf8), id: "broken", hostnames: "broken.test")
            #expect(text.status == .unprocessableContent)
            #expect(text.body.contains("the file is not a zip archive"))

            // The form's own checks come first.
            let (body, type) = Browser.multipart([("_csrf", admin.csrf ?? ""), ("id", "broken"), ("hostnames", "broken.test")], file: nil)
            let missing = try await admin.request("/_edit/sites/import", method: .post, body: body, contentType: type)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.body.contains("Choose the archive file"))
            let taken = try await Self.upload(&admin, archive: export.data, id: "beta", hostnames: "other.test")
            #expect(taken.status == .conflict)
            let hostTaken = try await Self.upload(&admin, archive: export.data, id: "other", hostnames: "demo.test")
            #expect(hostTaken.status == .conflict)
            #expect(try await client.get("/", host: "broken.test").status == .notFound)

            // Archives may be ten uploads large, no larger.
            let small = try await PorticoServices(store: f.web.store, theme: try Theme(), clock: f.web.clock, bcryptCost: 4, uploadLimit: 10_000)
            let limited = Application(responder: PorticoApplication.responder(small))
            try await limited.test(.router) { client in
                var admin = try await Self.admin(client)
                let tooLarge = try await Self.upload(&admin, archive: export.data, id: "broken", hostnames: "broken.test")
                #expect(tooLarge.status == .contentTooLarge)
                #expect(tooLarge.body.contains("at most 98 KB"))
            }
        }
        #expect(try await f.web.store.sites().map(\.id.rawValue).sorted() == ["beta", "demo"])
        #expect(!FileManager.default.fileExists(atPath: f.web.folder.appendingPathComponent("sites/broken").path))
        #expect(!FileManager.default.fileExists(atPath: f.web.folder.appendingPathComponent("sites/other").path))
        #expect(Self.stagingIsEmpty(f))
    }

    // MARK: Check and backup

    @Test func checkShowsTheReport() async throws {
        let f = try await Self.fixture()
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let page = try await admin.get("/_edit/sites/demo")
            #expect(page.body.contains("portico site bake demo FOLDER"))
            #expect(page.body.contains("portico site restore BACKUP --site demo --replace"))
            let check = try await admin.post("/_edit/sites/demo/check")
            #expect(check.status == .ok)
            #expect(check.body.contains("<strong>OK</strong>"))
            #expect(check.body.contains("files verified"))
            #expect(!check.body.contains("Problems found"))
        }
    }

    @Test func backUpNowWritesIntoTheConfiguredFolder() async throws {
        let f = try await Self.fixture()
        // Without a backup folder the page explains, and the button is refused.
        try await Self.run(f) { client in
            var admin = try await Self.admin(client)
            let page = try await admin.get("/_edit/sites/demo")
            #expect(page.body.contains("set <code>backup.folder</code> in the configuration"))
            #expect(!page.body.contains("Back up now"))
            let refused = try await admin.post("/_edit/sites/demo/backup")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("The backup folder is not configured"))
        }
        let folder = f.web.folder.deletingLastPathComponent().appendingPathComponent("portico-backups-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.run(f, backupFolder: folder) { client in
            var admin = try await Self.admin(client)
            #expect(try await admin.get("/_edit/sites/beta").body.contains("Back up now"))
            let backup = try await admin.post("/_edit/sites/beta/backup")
            #expect(backup.status == .seeOther)
            #expect(backup.location == "/_edit/sites/beta?done=backup&site=beta")
            let page = try await admin.get(backup.location ?? "")
            #expect(page.body.contains("Backup written and verified"))
            let written = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".backup") }
            #expect(written.count == 1)
            #expect(written.first?.hasPrefix("beta-") == true)
            #expect(page.body.contains("portico site restore \(folder.appendingPathComponent(written.first ?? "").path) --site beta --replace"))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(written.first ?? "").appendingPathComponent("backup.json").path))
        }
    }
}
