import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// The search page over HTTP, and the catalog's visibility against `AccessPolicy`.
@Suite struct SearchPageTests {
    @Test func anonymousVisitorsFindPublishedContentWithTheQueryKept() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let page = try await client.get("/_search?q=Campus")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.body.contains("value=\"Campus\""))
            #expect(page.body.contains("<mark>campus</mark>") || page.body.contains("<mark>Campus</mark>"))
            #expect(page.body.contains("The riverside <mark>campus</mark>"))
            // The draft news item is private: not in results, totals or facets.
            #expect(!page.body.contains("library wing"))
            let draft = try await client.get("/_search?q=library+wing")
            #expect(draft.body.contains("Nothing matches your search."))
            #expect(!draft.body.contains("1 result"))
            // An empty search shows just the box.
            let empty = try await client.get("/_search")
            #expect(empty.status == .ok && empty.body.contains("id=\"search-q\"") && !empty.body.contains("search-summary"))
            // Every page carries the search box.
            #expect(try await client.get("/").body.contains("action=\"/_search\""))
        }
    }

    @Test func anyQueryStringGetsAPageNeverAnError() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let long = String(repeating: "campus%20", count: 1200)
            let queries = [
                "%22unbalanced", "*", "NEAR(campus%20open)", "title:campus", "%7Btitle%7D:campus", "-campus", "campus%20-", "(((", "%FF%FE",
                "%00", long, "campus&type=nonsense", "campus&page=-5", "campus&page=99999999999999999999", "campus&from=2020-13-45",
                "campus&until=yesterday", "campus&in=relative/path", "campus&in=/nowhere", "campus&tag=" + String(repeating: "x", count: 500),
                "%3Cscript%3Ealert(1)%3C/script%3E",
            ]
            for query in queries {
                let page = try await client.get("/_search?q=" + query)
                #expect(page.status == .ok, "q=\(query.prefix(40))")
                #expect(!page.body.contains("<script>alert"), "q=\(query.prefix(40))")
            }
        }
    }

    @Test func filtersFacetsAndPagesWork() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        let folder = try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .folder, title: "Reports"), state: .published, by: .system)
        for number in 1...25 {
            try await f.services.content.create(in: f.demo.id, under: folder.id, ItemDraft(type: .page, title: "Quokka report \(number)", body: "About the quokka.", tags: number == 7 ? ["Wildlife"] : []), state: .published, by: .system)
        }
        try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .news, title: "Quokka news", body: "A quokka was seen."), state: .published, by: .system)
        try await f.test { client in
            let first = try await client.get("/_search?q=quokka")
            #expect(first.body.contains("26 results"))
            #expect(first.body.contains("Page 1 of 2") && first.body.contains("rel=\"next\"") && !first.body.contains("rel=\"prev\""))
            #expect(first.body.contains("News item (1)") && first.body.contains("Page (25)"))
            let second = try await client.get("/_search?q=quokka&page=2")
            #expect(second.body.components(separatedBy: "class=\"search-result\"").count - 1 == 6)
            let news = try await client.get("/_search?q=quokka&type=news")
            #expect(news.body.contains("1 result") && news.body.contains("<mark>Quokka</mark> news"))
            let within = try await client.get("/_search?q=quokka&in=/reports")
            #expect(within.body.contains("25 results"))
            let tagged = try await client.get("/_search?q=quokka&tag=wildlife")
            #expect(tagged.body.contains("1 result") && tagged.body.contains("<mark>Quokka</mark> report 7"))
        }
    }

    @Test func aPhraseOfCommonWordsSaysWhenOnlyTheLatestPartWasSearched() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        let folder = try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .folder, title: "Archive"), state: .published, by: .system)
        var drafts = [ItemDraft(type: .page, title: "First", body: "wombat koala at the start")]
        drafts += (0..<10_500).map { ItemDraft(type: .page, title: "Filler \($0)", body: "koala wombat in between") }
        drafts.append(ItemDraft(type: .page, title: "Last", body: "wombat koala at the end"))
        _ = try await f.services.content.createMany(in: f.demo.id, under: folder.id, drafts, state: .published, by: .system)
        try await f.test { client in
            let quick = try await client.get("/_search?q=%22wombat+koala%22")
            #expect(quick.status == .ok)
            #expect(quick.body.contains("1+ results") && quick.body.contains("Search everything"))
            #expect(quick.body.contains(">Last<") && !quick.body.contains(">First<"))
            let everything = try await client.get("/_search?q=%22wombat+koala%22&all=1")
            #expect(everything.body.contains("2 results") && !everything.body.contains("Search everything"))
            #expect(everything.body.contains(">Last<") && everything.body.contains(">First<"))
        }
    }

    @Test func aSearchPageIsCachedAndNeverStaleAfterAnEdit() async throws {
        let f = try await WebFixture.make()
        let root = try await f.content(f.demo).root()
        try await f.test { client in
            #expect(try await client.get("/_search?q=wombat").body.contains("Nothing matches"))
            let again = try await client.get("/_search?q=wombat")
            #expect(again.headers[HTTPField.Name("X-Cache")!] == "HIT")
            let page = try await f.services.content.create(in: f.demo.id, under: root.id, ItemDraft(type: .page, title: "Wombat facts"), state: .published, by: .system)
            #expect(try await client.get("/_search?q=wombat").body.contains("Wombat facts"))
            try await f.services.content.transition(in: f.demo.id, id: page.id, .retract, by: .system)
            #expect(try await client.get("/_search?q=wombat").body.contains("Nothing matches"))
        }
    }

    @Test func editorsFindDraftsTheyMaySeeAndNothingElse() async throws {
        let e = try await EditorFixture.make()
        let f = e.web
        try await f.test { client in
            var editor = Browser(client)
            _ = try await editor.login("editor")
            let found = try await editor.get("/_search?q=library+wing")
            #expect(found.body.contains("Plans for the new <mark>library</mark> <mark>wing</mark>"))
            #expect(found.body.contains("state-badge"))
            #expect(found.headers[.cacheControl]?.contains("no-store") == true)
            var outsider = Browser(client)
            _ = try await outsider.login("outsider")
            #expect(try await outsider.get("/_search?q=library+wing").body.contains("Nothing matches"))
        }
    }

    /// The catalog's visibility filter and `AccessPolicy` must agree for every principal.
    @Test func catalogVisibilityAgreesWithTheAccessPolicy() async throws {
        let e = try await EditorFixture.make()
        let f = e.web
        let content = f.services.content
        let site = f.demo.id
        let root = try await f.content(f.demo).root()
        let docs = try #require(try await f.content(f.demo).item(path: "/docs"))
        let contributor = e.principal("contributor")
        let club = try await content.create(in: site, under: root.id, ItemDraft(type: .folder, title: "Club", membersOnly: true), state: .published, by: .system)
        let hidden = try await content.create(in: site, under: root.id, ItemDraft(type: .folder, title: "Hidden"), state: .private, by: .system)
        let later = Date().addingTimeInterval(86_400)
        let cases: [(parent: ItemID, state: ItemState, by: Principal, effective: Date?)] = [
            (root.id, .published, .system, nil), (root.id, .private, .system, nil), (root.id, .pending, .system, nil),
            (root.id, .published, .system, later), (club.id, .published, .system, nil), (hidden.id, .published, .system, nil),
            (docs.id, .private, .system, nil), (docs.id, .published, .system, nil), (root.id, .private, contributor, nil),
            (hidden.id, .pending, .system, nil),
        ]
        var created: [Item] = []
        for (index, entry) in cases.enumerated() {
            let item = try await content.create(in: site, under: entry.parent, ItemDraft(type: .page, title: "Zanzibar \(index)", effective: entry.effective), state: entry.state, by: entry.by)
            created.append(item)
        }
        let search = SearchService(content: content)
        let store = try await f.content(f.demo)
        for name in ["anonymous", "manager", "editor", "contributor", "other", "reviewer", "member", "outsider", "docseditor"] {
            let principal = e.principal(name)
            let found = Set(try await search.search(in: site, SearchRequest(query: SearchQuery("zanzibar"), pageSize: 100), by: principal).results.map(\.item.id))
            var allowed: Set<ItemID> = []
            for item in created {
                let ancestors = try await store.items(paths: item.ancestorPaths).sorted { $0.path.count < $1.path.count }
                let roles = try await content.roles(of: principal, in: site, at: item, ancestors: ancestors)
                if content.policy.allows(principal, .view, item: item, ancestors: ancestors, roles: roles, at: content.clock.now()) { allowed.insert(item.id) }
            }
            #expect(found == allowed, "\(name): found \(found.count), allowed \(allowed.count)")
            let page = try await search.search(in: site, SearchRequest(query: SearchQuery("zanzibar"), pageSize: 100), by: principal)
            #expect(page.total == allowed.count, "\(name)")
        }
    }
}
