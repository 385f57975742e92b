import Foundation
import PorticoTestSupport
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Baking the demo site into a static folder: what is in it, what is not, links that work
/// without a server, and a target folder that is replaced whole or not at all.
@Suite struct BakeTests {
    /// Temporary folders of one test (`remove()` them when the test is done).
    struct Scratch {
        let root = TestFolders.url("portico-bake")

        /// A fresh target path (not created), alone in its parent, where the bake also stages.
        func target() throws -> URL {
            let parent = root.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            return parent.appendingPathComponent("site")
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    func text(_ folder: URL, _ path: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ folder: URL, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path)
    }

    /// Every file below `folder`, as relative paths.
    func files(_ folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var result: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(path)
            }
        }
        return result.sorted()
    }

    /// The `<loc>` values of a sitemap.
    static func locations(_ sitemap: String) -> [String] {
        sitemap.components(separatedBy: "<loc>").dropFirst().compactMap { $0.components(separatedBy: "</loc>").first }
    }

    /// Nothing but the target is left in its parent: no staging or set-aside folders.
    func onlyTargetIn(_ parent: URL) throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: parent.path).allSatisfy { $0 == "site" }
    }

    @Test func bakesEveryPublicPageAndNothingElse() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let f = try await WebFixture.make()
        let folder = try scratch.target()
        let steps = Locked<[BakeProgress]>([])
        let report = try await SiteBaker(services: f.services).bake(site: f.demo.id, into: folder) { step in
            steps.withLock { $0.append(step) }
        }
        #expect(report.folder.path == folder.standardizedFileURL.resolvingSymlinksInPath().path)
        #expect(report.brokenLinks.isEmpty)
        #expect(report.omitted.isEmpty)
        #expect(report.pages == 16)
        #expect(report.bytes > 0)

        // Every page the server's sitemap lists is baked at <path>/index.html, and every baked
        // page is listed by the baked sitemap with the site's public URL.
        let sitemap = Locked("")
        try await f.test { client in
            let body = try await client.get("/sitemap.xml").body
            sitemap.withLock { $0 = body }
        }
        let served = Self.locations(sitemap.withLock { $0 })
        #expect(served.count == 16)
        for location in served {
            let path = String(location.dropFirst("http://demo.test".count))
            #expect(exists(folder, (path == "/" ? "" : String(path.dropFirst()) + "/") + "index.html"), "\(path) was not baked")
        }
        let pages = files(folder).filter { $0.hasSuffix("index.html") }
        #expect(pages.count == report.pages)
        let baked = Self.locations(try text(folder, "sitemap.xml"))
        #expect(Set(baked) == Set(pages.map { "http://demo.test/" + $0.dropLast("index.html".count) }))
        #expect(baked.contains("http://demo.test/about/our-history/"))

        // The private draft is nowhere.
        #expect(!exists(folder, "news/plans-for-the-new-library-wing"))
        for file in files(folder) where !file.hasPrefix("_blob/") {
            #expect(try !text(folder, file).contains("library wing"), "\(file) mentions the private draft")
        }

        // Pages are the server's pages: content, theme and navigation.
        let history = try text(folder, "about/our-history/index.html")
        #expect(history.contains("<strong>1891</strong>"))
        #expect(history.contains("<a href=\"../index.html\">About us</a>"))
        #expect(history.contains("<link rel=\"canonical\" href=\"http://demo.test/about/our-history/\">"))

        // The stylesheet, and images and files with their exact bytes.
        let stylesheet = String(f.services.theme.stylesheetPath.dropFirst())
        #expect(try text(folder, stylesheet) == f.services.theme.stylesheet)
        #expect(history.contains("href=\"../../\(stylesheet)\""))
        let content = try await f.content(f.demo)
        for path in ["/about/the-riverside-campus", "/about/annual-report.pdf"] {
            let blob = try #require(try await f.item(f.demo, path).blob)
            let file = "_blob/\(blob.sha256)/\(blob.filename)"
            let original = try Data(contentsOf: try #require(content.blobs.localFile(blob.sha256)))
            #expect(try Data(contentsOf: folder.appendingPathComponent(file)) == original)
            #expect(try text(folder, String(path.dropFirst()) + "/index.html").contains("../../\(file)"))
        }

        // The link item leads to its target directly; robots.txt, the feed and the 404 page.
        #expect(try text(folder, "about/index.html").contains("href=\"https://example.org/\""))
        #expect(try text(folder, "robots.txt").contains("Sitemap: http://demo.test/sitemap.xml"))
        #expect(try text(folder, "feed.xml").contains("http://demo.test/news/record-number-of-applications/"))
        let notFound = try text(folder, "404.html")
        #expect(notFound.contains("Page not found"))
        #expect(notFound.contains("href=\"/\(stylesheet)\""))

        // Only 404.html has links from the root; every other page works from any prefix.
        for page in pages {
            #expect(try !text(folder, page).contains("href=\"/"), "\(page) has a root-absolute link")
        }
        #expect(BakeLinkChecker.check(folder: folder).isEmpty)
        #expect(exists(folder, ".portico-bake"))
        #expect(try onlyTargetIn(folder.deletingLastPathComponent()))

        let seen = steps.withLock { $0 }
        #expect(seen.contains { $0.phase == .rendering })
        #expect(seen.last?.phase == .checking)
        #expect(seen.allSatisfy { $0.done <= $0.total })
    }

    @Test func linksToWhatIsNotBakedLeadToThe404Page() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let f = try await WebFixture.make()
        let root = try await f.item(f.demo, "/")
        let contact = try await f.item(f.demo, "/contact")
        var moved = ItemDraft(contact)
        moved.slug = "contact-us"
        try await f.services.content.update(in: f.demo.id, id: contact.id, moved, expectedVersion: contact.version, by: .system)
        try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(
            type: .page, title: "Links", slug: "links",
            body: """
                [draft](/news/plans-for-the-new-library-wing) [editor](/_edit/) [login](/_login) \
                [old address](/contact) [elsewhere](https://example.net/page) [history](/about/our-history#milestones)
                """
        ), state: .published, by: .system)
        let folder = try scratch.target()
        let report = try await SiteBaker(services: f.services).bake(site: f.demo.id, into: folder)

        let page = try text(folder, "links/index.html")
        #expect(page.contains("<a href=\"../404.html\">draft</a>"))
        #expect(page.contains("<a href=\"../404.html\">editor</a>"))
        #expect(page.contains("<a href=\"../404.html\">login</a>"))
        #expect(page.contains("<a href=\"../contact-us/index.html\">old address</a>"))
        #expect(page.contains("<a href=\"https://example.net/page\">elsewhere</a>"))
        #expect(page.contains("<a href=\"../about/our-history/index.html#milestones\">history</a>"))
        #expect(Set(report.omitted) == ["/news/plans-for-the-new-library-wing", "/_edit", "/_login"])
        #expect(!exists(folder, "_edit"))
        #expect(!exists(folder, "_login"))
        #expect(!exists(folder, "contact"))
        #expect(report.brokenLinks.isEmpty)
    }

    @Test func aPublicBaseURLNamesThePublicAddresses() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let f = try await WebFixture.make()
        let folder = try scratch.target()
        let baker = SiteBaker(services: f.services, baseURL: URL(string: "https://www.northfield.example/college/"))
        let report = try await baker.bake(site: f.demo.id, into: folder)
        #expect(report.brokenLinks.isEmpty)
        let sitemap = try text(folder, "sitemap.xml")
        #expect(Self.locations(sitemap).allSatisfy { $0.hasPrefix("https://www.northfield.example/college/") })
        #expect(Self.locations(sitemap).contains("https://www.northfield.example/college/news/"))
        #expect(try text(folder, "robots.txt").contains("Sitemap: https://www.northfield.example/college/sitemap.xml"))
        #expect(try text(folder, "news/index.html").contains("<link rel=\"canonical\" href=\"https://www.northfield.example/college/news/\">"))
        #expect(try text(folder, "404.html").contains("href=\"/college/index.html\""))

        await #expect(throws: BakeError.invalidBaseURL("ftp://example.org/")) {
            try await SiteBaker(services: f.services, baseURL: URL(string: "ftp://example.org/")).bake(site: f.demo.id, into: try scratch.target())
        }
    }

    @Test func aBakeReplacesThePreviousBakeWhole() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let f = try await WebFixture.make()
        let folder = try scratch.target()
        let parent = folder.deletingLastPathComponent()
        let baker = SiteBaker(services: f.services)
        _ = try await baker.bake(site: f.demo.id, into: folder)
        try Data("left over".utf8).write(to: folder.appendingPathComponent("stale.txt"))

        let root = try await f.item(f.demo, "/")
        try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .page, title: "Admissions"), state: .published, by: .system)
        let report = try await baker.bake(site: f.demo.id, into: folder)
        #expect(report.pages == 17)
        #expect(exists(folder, "admissions/index.html"))
        #expect(try text(folder, "index.html").contains("href=\"admissions/index.html\""))
        #expect(!exists(folder, "stale.txt"))
        #expect(try onlyTargetIn(parent))

        // A bake that stops half way leaves the previous bake as it was, and no debris.
        try Data("still here".utf8).write(to: folder.appendingPathComponent("stale.txt"))
        try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .page, title: "Research"), state: .published, by: .system)
        // The bake runs in a task of its own, which cancels itself from its progress report.
        let attempt = Task {
            try await baker.bake(site: f.demo.id, into: folder) { step in
                if step.phase == .rendering, step.done == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        let result = await attempt.result
        #expect(throws: BakeError.cancelled) { try result.get() }
        #expect(exists(folder, "stale.txt"))
        #expect(exists(folder, "admissions/index.html"))
        #expect(!exists(folder, "research"))
        #expect(BakeLinkChecker.check(folder: folder).isEmpty)
        #expect(try onlyTargetIn(parent))
    }

    @Test func aFolderThatIsNotABakeIsRefused() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let f = try await WebFixture.make()
        let baker = SiteBaker(services: f.services)

        let foreign = try scratch.target()
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: foreign.appendingPathComponent("thesis.txt"))
        await #expect(throws: BakeError.targetNotABake(foreign.standardizedFileURL.resolvingSymlinksInPath().path)) {
            try await baker.bake(site: f.demo.id, into: foreign)
        }
        #expect(try String(contentsOf: foreign.appendingPathComponent("thesis.txt"), encoding: .utf8) == "precious")
        #expect(try onlyTargetIn(foreign.deletingLastPathComponent()))

        let file = try scratch.target()
        try Data("a file".utf8).write(to: file)
        await #expect(throws: BakeError.targetNotAFolder(file.standardizedFileURL.resolvingSymlinksInPath().path)) {
            try await baker.bake(site: f.demo.id, into: file)
        }

        // An empty folder is fine; so are unknown and disabled sites refused before any write.
        let empty = try scratch.target()
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(try await baker.bake(site: f.demo.id, into: empty).pages == 16)
        await #expect(throws: BakeError.siteNotFound(try SiteID("nosuchsite"))) {
            try await baker.bake(site: try SiteID("nosuchsite"), into: try scratch.target())
        }
    }

    @Test func theLinkCheckerFindsWhatDoesNotResolve() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let folder = try scratch.target()
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("news/item"), withIntermediateDirectories: true)
        try manager.createDirectory(at: folder.appendingPathComponent("css"), withIntermediateDirectories: true)
        try Data("ok".utf8).write(to: folder.appendingPathComponent("news/item/index.html"))
        try Data("x".utf8).write(to: folder.appendingPathComponent("a b.png"))
        try Data("""
            <!doctype html><link rel=stylesheet href=css/site.css>
            <!-- <a href="commented-out.html"> -->
            <a href="news/item/">folder</a> <a href='news/index.html'>missing</a>
            <a href="https://example.org/">out</a> <a href="#top">top</a> <a href="mailto:a@example.org">mail</a>
            <img src="a%20b.png" srcset="a%20b.png 1x, gone.png 2x" alt="">
            <div style="background: url(&quot;nope.png&quot;)"></div>
            <a href="../../escape.html">escape</a>
            <p>&lt;a href="text.html"&gt; is text</p>
            <script>var s = '<a href="in-script.html">';</script>
            """.utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("body { background: url('../a%20b.png') } @import \"missing.css\"; /* url(comment.png) */".utf8)
            .write(to: folder.appendingPathComponent("css/site.css"))

        let broken = BakeLinkChecker.check(folder: folder)
        #expect(broken == [
            BrokenLink(file: "css/site.css", link: "missing.css", problem: .missingFile),
            BrokenLink(file: "index.html", link: "../../escape.html", problem: .outsideBake),
            BrokenLink(file: "index.html", link: "gone.png", problem: .missingFile),
            BrokenLink(file: "index.html", link: "news/index.html", problem: .missingFile),
            BrokenLink(file: "index.html", link: "nope.png", problem: .missingFile),
        ])
    }
}
