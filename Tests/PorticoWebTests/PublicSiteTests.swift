import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

@Suite struct PublicSiteTests {
    @Test func eachHostnameShowsItsOwnSite() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let demo = try await client.get("/", host: "demo.test")
            #expect(demo.status == .ok)
            #expect(demo.headers[.contentType] == "text/html; charset=utf-8")
            #expect(demo.body.contains("Northfield College"))
            #expect(demo.body.contains("Latest news"))
            #expect(demo.body.contains("Open day"))
            #expect(!demo.body.contains("Beta Institute"))

            let beta = try await client.get("/", host: "www.beta.test:8080")
            #expect(beta.status == .ok)
            #expect(beta.body.contains("Beta Institute"))
            #expect(beta.body.contains("Beta research"))
            #expect(!beta.body.contains("Northfield"))
            #expect(try await client.get("/beta-research", host: "demo.test").status == .notFound)
            #expect(try await client.get("/beta-research", host: "beta.test").status == .ok)
        }
    }

    @Test func unknownHostsGetAPlatform404ThatNamesNoSite() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            for host in ["unknown.test", "", "bad host", "demo.test.evil"] {
                let response = try await client.get("/", host: host)
                #expect(response.status == .notFound)
                for name in ["demo", "Northfield", "beta", "Beta"] { #expect(!response.body.contains(name)) }
            }
            #expect(try await client.get("/_site/nosuchsite/", host: "localhost").status == .notFound)
            #expect(try await client.get("/_site/../demo/", host: "localhost").status == .notFound)
        }
    }

    @Test func theSitePrefixIsALocalFallback() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let news = try await client.get("/_site/demo/news", host: "127.0.0.1")
            #expect(news.status == .ok)
            #expect(news.body.contains("href=\"/_site/demo/news/"))
            #expect(news.body.contains("href=\"/_site/demo/about\""))
            let home = try await client.get("/_site/demo", host: "127.0.0.1")
            #expect(home.status == .ok)
            #expect(home.body.contains("href=\"/_site/demo/news\""))  // body links rebased too
            let feed = try await client.get("/_site/demo/feed.xml", host: "127.0.0.1")
            #expect(feed.body.contains("/_site/demo/news/"))
        }
    }

    @Test func pagesOfEveryKind() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let page = try await client.get("/about/our-history")
            #expect(page.status == .ok)
            #expect(page.body.contains("<h1>Our history</h1>"))
            #expect(page.body.contains("<strong>1891</strong>"))
            // Breadcrumbs and navigation.
            #expect(page.body.contains("aria-label=\"Breadcrumb\""))
            #expect(page.body.contains("<a href=\"/about\">About us</a>"))
            #expect(page.body.contains("href=\"/about\" aria-current=\"page\""))

            let event = try await client.get("/events/open-day")
            #expect(event.body.contains("Main building, 12 Market Street"))
            #expect(event.body.contains("<dt>When</dt>"))

            let image = try await client.get("/about/the-riverside-campus")
            #expect(image.body.contains("<img src=\"/_blob/"))
            #expect(image.body.contains("width=\"480\" height=\"270\""))

            let file = try await client.get("/about/annual-report.pdf")
            #expect(file.body.contains("Download annual-report.pdf"))
            #expect(file.body.contains("PDF document"))

            let link = try await client.get("/about/town-of-northfield")
            #expect(link.status == .found)
            #expect(link.headers[.location] == "https://example.org/")

            let missing = try await client.get("/no/such/page")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("Page not found"))
            #expect(missing.body.contains("Northfield College"))  // themed for the site
        }
    }

    @Test func newsAreListedNewestFirst() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let body = try await client.get("/news").body
            let titles = ["New science building wins design award", "Record number of applications", "Library opens around the clock during exams", "Students restore the old mill wheel", "College choir to tour three cities", "Welcome to our new students"]
            let positions = titles.map { body.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        }
    }

    @Test func sitemapRobotsAndFeed() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let sitemap = try await client.get("/sitemap.xml")
            #expect(sitemap.headers[.contentType] == "application/xml; charset=utf-8")
            #expect(sitemap.body.contains("<loc>http://demo.test/news/record-number-of-applications</loc>"))
            #expect(sitemap.body.contains("<loc>http://demo.test/</loc>"))
            #expect(!sitemap.body.contains("town-of-northfield"))

            let robots = try await client.get("/robots.txt")
            #expect(robots.body.contains("Sitemap: http://demo.test/sitemap.xml"))

            let feed = try await client.get("/feed.xml")
            #expect(feed.headers[.contentType] == "application/atom+xml; charset=utf-8")
            #expect(feed.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"))
            #expect(feed.body.components(separatedBy: "<entry>").count - 1 == 6)
            let first = try #require(feed.body.range(of: "New science building")).lowerBound
            let last = try #require(feed.body.range(of: "Welcome to our new students")).lowerBound
            #expect(first < last)
        }
    }

    @Test func blobsAreServedWithTypeRangesAndLongCaching() async throws {
        let f = try await WebFixture.make()
        let image = try await f.item(f.demo, "/about/the-riverside-campus")
        let file = try await f.item(f.demo, "/about/annual-report.pdf")
        let imageURL = "/_blob/\(image.blob!.sha256)/campus.png"
        try await f.test { client in
            let whole = try await client.get(imageURL)
            #expect(whole.status == .ok)
            #expect(whole.headers[.contentType] == "image/png")
            #expect(whole.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(whole.headers[.contentLength] == String(image.blob!.size))
            #expect(whole.headers[.acceptRanges] == "bytes")

            let part = try await client.get(imageURL, headers: [.range: "bytes=0-7"])
            #expect(part.status == .partialContent)
            #expect(part.headers[.contentRange] == "bytes 0-7/\(image.blob!.size)")
            #expect(part.headers[.contentLength] == "8")
            let suffix = try await client.get(imageURL, headers: [.range: "bytes=-10"])
            #expect(suffix.status == .partialContent)
            #expect(suffix.headers[.contentLength] == "10")
            let beyond = try await client.get(imageURL, headers: [.range: "bytes=99999999-"])
            #expect(beyond.status == .rangeNotSatisfiable)
            #expect(beyond.headers[.contentRange] == "bytes */\(image.blob!.size)")
            let notModified = try await client.get(imageURL, headers: [.ifNoneMatch: "\"\(image.blob!.sha256)\""])
            #expect(notModified.status == .notModified)

            let head = try await client.get(imageURL, method: .head)
            #expect(head.status == .ok)
            #expect(head.body.isEmpty)
            #expect(head.headers[.contentLength] == String(image.blob!.size))

            let pdf = try await client.get("/_blob/\(file.blob!.sha256)/annual-report.pdf")
            #expect(pdf.headers[.contentType] == "application/pdf")
            #expect(pdf.body.hasPrefix("%PDF-"))

            // The hash is checked before any file access; other sites' blobs are not served.
            #expect(try await client.get("/_blob/../../platform.sqlite/x").status != .ok)
            #expect(try await client.get("/_blob/\(String(repeating: "0", count: 64))/x").status == .notFound)
            #expect(try await client.get(imageURL, host: "beta.test").status == .notFound)
        }
    }

    @Test func themeStylesheetIsImmutable() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let home = try await client.get("/")
            let cssPath = try #require(home.body.firstMatch(of: /href="(\/_theme\/[0-9a-f]+\/style\.css)"/)?.1)
            let css = try await client.get(String(cssPath))
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(css.body.contains("--accent"))
        }
    }

    @Test func textIsEscaped() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(
            type: .page, title: "<script>alert(1)</script>", slug: "xss", description: "\"><img src=x onerror=alert(2)>",
            body: "<script>alert(3)</script>"
        ), state: .published, by: .system)
        try await f.test { client in
            let page = try await client.get("/xss")
            #expect(page.status == .ok)
            #expect(!page.body.contains("<script>alert"))
            #expect(!page.body.contains("<img src=x"))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test func renamedItemsRedirectPermanently() async throws {
        let f = try await WebFixture.make()
        let about = try await f.item(f.demo, "/about")
        var draft = ItemDraft(about)
        draft.slug = "about-the-college"
        try await f.services.content.update(in: f.demo.id, id: about.id, draft, expectedVersion: about.version, by: .system)
        try await f.test { client in
            let old = try await client.get("/about/our-history")
            #expect(old.status == .movedPermanently)
            #expect(old.headers[.location] == "/about-the-college/our-history")
            #expect(try await client.get("/about-the-college/our-history").status == .ok)
        }
    }

    @Test func aDisabledSiteShowsAMaintenancePage() async throws {
        let f = try await WebFixture.make()
        try await f.services.administration.updateSite(f.beta.id) { $0.status = .disabled }
        try await f.test { client in
            let response = try await client.get("/", host: "beta.test")
            #expect(response.status == .serviceUnavailable)
            #expect(response.body.contains("maintenance"))
            #expect(try await client.get("/", host: "demo.test").status == .ok)
        }
    }
}
