import Foundation
import PorticoCore
import Testing

@Suite struct SlugTests {
    @Test func derivesFromTitleFoldingAccentsAndPunctuation() {
        #expect(Slug.make(from: "Open Day 2026!") == "open-day-2026")
        #expect(Slug.make(from: "Barcelonà & Zürich") == "barcelona-zurich")
        #expect(Slug.make(from: "  --  ") == "item")
        #expect(Slug.make(from: "Ünïcödé Straße") == "unicode-strae" || Slug.make(from: "Ünïcödé Straße") == "unicode-strasse")
    }

    @Test func longTitlesAreCut() {
        #expect(Slug.make(from: String(repeating: "word ", count: 100)).utf8.count <= 80)
    }

    @Test func validation() {
        #expect(Slug.problem(with: "annual-report.pdf") == nil)
        #expect(Slug.problem(with: "") != nil)
        #expect(Slug.problem(with: "_private") != nil)
        #expect(Slug.problem(with: ".hidden") != nil)
        #expect(Slug.problem(with: "a..b") != nil)
        #expect(Slug.problem(with: "Upper") != nil)
        #expect(Slug.problem(with: "with space") != nil)
        #expect(Slug.problem(with: "sitemap.xml", atRoot: true) != nil)
        #expect(Slug.problem(with: "sitemap.xml", atRoot: false) == nil)
    }

    @Test func uniqueAmongSiblings() {
        #expect(Slug.unique("news", among: []) == "news")
        #expect(Slug.unique("news", among: ["news"]) == "news-2")
        #expect(Slug.unique("news", among: ["news", "news-2"]) == "news-3")
    }
}

@Suite struct ContentPathTests {
    @Test func splitsAndDecodes() throws {
        #expect(try ContentPath.segments(of: "/") == [])
        #expect(try ContentPath.segments(of: "/news/open-day/") == ["news", "open-day"])
        #expect(try ContentPath.segments(of: "//news//x") == ["news", "x"])
        #expect(try ContentPath.segments(of: "/caf%C3%A9") == ["café"])
        // A path is split at every "/" byte, also before a raw combining mark (which would
        // otherwise join the slash into one character).
        #expect(try ContentPath.segments(of: "/a/\u{301}b") == ["a", "\u{301}b"])
        #expect(try ContentPath.segments(of: Substring("/x/news/y").dropFirst(2)) == ["news", "y"])
    }

    @Test(arguments: [
        "/..", "/a/../b", "/.", "/%2e%2e/etc", "/%2E%2E", "/a%2Fb", "/a%2fb", "/a%5Cb", "/a%00b", "/a%0ab",
        "/%zz", "/%", "/%C3", "/" + String(repeating: "a", count: 300),
    ])
    func rejectsEscapes(_ path: String) {
        #expect(throws: PorticoError.self) { try ContentPath.segments(of: path) }
    }

    @Test func rejectsDeepPaths() {
        let deep = String(repeating: "/a", count: 100)
        #expect(throws: PorticoError.self) { try ContentPath.segments(of: deep) }
    }

    @Test func ancestorsAndJoin() {
        #expect(ContentPath.ancestors(of: "/") == [])
        #expect(ContentPath.ancestors(of: "/a") == ["/"])
        #expect(ContentPath.ancestors(of: "/a/b/c") == ["/", "/a", "/a/b"])
        #expect(ContentPath.join("/", "a") == "/a")
        #expect(ContentPath.join("/a", "b") == "/a/b")
    }
}

@Suite struct IdentifierTests {
    @Test func siteIDs() throws {
        #expect(throws: Never.self) { try SiteID("demo-2") }
        for bad in ["", "Demo", "2demo", "de mo", "demo-", "../x", String(repeating: "a", count: 64)] {
            #expect(throws: PorticoError.self) { try SiteID(bad) }
        }
    }

    @Test func hostnames() {
        #expect(Hostname.normalize("Demo.Localhost:8080") == "demo.localhost")
        #expect(Hostname.normalize("example.org.") == "example.org")
        #expect(Hostname.normalize("bad host") == nil)
        #expect(Hostname.normalize("a..b") == nil)
        #expect(Hostname.normalize("[::1]:80") == nil)
        #expect(Hostname.normalize("x:abc") == nil)
        #expect(Hostname.normalize("") == nil)
        #expect(Hostname.normalize("WWW.Beta.TEST") == "www.beta.test")
        #expect(Hostname.normalize("beta.test:") == nil)
        #expect(Hostname.normalize(":80") == nil)
        #expect(Hostname.normalize("-a.test") == nil && Hostname.normalize("a-.test") == nil && Hostname.normalize("a-b.test") == "a-b.test")
        #expect(Hostname.normalize("é.test") == nil && Hostname.normalize("a_b.test") == nil)
        #expect(Hostname.normalize(".") == nil && Hostname.normalize("a.") == "a" && Hostname.normalize("a..") == nil)
        #expect(Hostname.normalize(String(repeating: "a", count: 63) + ".test") != nil)
        #expect(Hostname.normalize(String(repeating: "a", count: 64) + ".test") == nil)
        #expect(Hostname.normalize(Array(repeating: String(repeating: "a", count: 50), count: 6).joined(separator: ".")) == nil)  // 305 bytes
    }

    @Test func usernames() {
        #expect(User.problem(withUsername: "jane.doe") == nil)
        #expect(User.problem(withUsername: "JD") != nil)
        #expect(User.problem(withUsername: "a b c") != nil)
    }
}
