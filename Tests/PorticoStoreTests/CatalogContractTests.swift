import Foundation
import PorticoCore
import PorticoStore
import Testing

/// The search catalog's contract, run against every store: in step with every write, accent-
/// and case-insensitive, and never counting what the visibility does not allow.
@Suite struct CatalogContractTests {
    func doc(_ id: String, parent: String, path: String, title: String, body: String = "", type: ItemType = .page, state: ItemState = .published,
             effective: Date = epoch, tags: [String] = [], membersOnly: Bool = false, creator: String? = nil) -> Item {
        var value = item(id, parent: parent, path: path, type: type, state: state, effective: effective)
        value.title = title
        value.description = ""
        value.body = body
        value.bodyHTML = "<p>" + body + "</p>"
        value.tags = tags
        value.membersOnly = membersOnly
        value.creator = creator.map(UserID.init)
        return value
    }

    func find(_ site: any SiteContentStore, _ text: String, visibility: CatalogVisibility = CatalogVisibility(everything: true, at: epoch),
              types: Set<ItemType>? = nil, below: String? = nil, from: Date? = nil, until: Date? = nil, tag: String? = nil, window: Int = 1000) async throws -> CatalogHits {
        try await site.search(CatalogSearch(
            match: SearchQuery(text).matchExpression, visibility: visibility, types: types, below: below, from: from, until: until,
            tagKey: tag.map(SearchDocument.tagKey), window: window
        ))
    }

    func ids(_ hits: CatalogHits) -> Set<String> { Set(hits.hits.map(\.itemID.rawValue)) }

    @Test(arguments: StoreKind.allCases)
    func everyWriteKeepsTheCatalogInStep(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        let page = doc("p1", parent: "alpha-root", path: "/trip", title: "A trip to Barcelonà", body: "We saw the **sagrada** família")
        try await site.insert(page, revision: revision(page))
        #expect(ids(try await find(site, "barcelona")) == ["p1"])
        #expect(ids(try await find(site, "BARCELONÀ")) == ["p1"])
        #expect(ids(try await find(site, "familia")) == ["p1"])
        #expect(ids(try await find(site, "barc*")) == ["p1"])
        #expect(ids(try await find(site, "\"sagrada familia\"")) == ["p1"])
        #expect(ids(try await find(site, "\"familia sagrada\"")).isEmpty)

        var changed = page
        changed.title = "A trip to Madrid"
        changed.version = 2
        try await site.update(changed, expectedVersion: 1, revision: revision(changed))
        #expect(ids(try await find(site, "barcelona")).isEmpty)
        #expect(ids(try await find(site, "madrid")) == ["p1"])

        let folder = doc("f1", parent: "alpha-root", path: "/travel", title: "Travel", type: .folder)
        let child = doc("c1", parent: "f1", path: "/travel/lisbon", title: "Lisbon by tram")
        try await site.insert(folder, revision: revision(folder))
        try await site.insert(child, revision: revision(child))
        #expect(ids(try await find(site, "lisbon", below: "/travel")) == ["c1"])
        var renamed = folder
        renamed.path = "/journeys"
        renamed.slug = "journeys"
        renamed.version = 2
        try await site.update(renamed, expectedVersion: 1, revision: revision(renamed))
        #expect(ids(try await find(site, "lisbon", below: "/travel")).isEmpty)
        #expect(ids(try await find(site, "lisbon", below: "/journeys")) == ["c1"])

        _ = try await site.delete(ItemID("f1"))
        #expect(ids(try await find(site, "lisbon")).isEmpty)
        #expect(ids(try await find(site, "travel")).isEmpty)

        // A rebuild finds the same.
        #expect(try await site.rebuildCatalog(progress: nil) == 2)  // root and p1
        #expect(ids(try await find(site, "madrid")) == ["p1"])
        #expect(ids(try await find(site, "lisbon")).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func titlesRankFirstAndFiltersApply(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        let day: TimeInterval = 86_400
        let entries = [
            doc("a", parent: "alpha-root", path: "/a", title: "Harbour news", body: "boats", type: .news, effective: epoch, tags: ["Sea Life"]),
            doc("b", parent: "alpha-root", path: "/b", title: "Boats", body: "the harbour was calm", effective: epoch.addingTimeInterval(day)),
            doc("c", parent: "alpha-root", path: "/c", title: "Mountains", body: "far from any harbour", type: .news, effective: epoch.addingTimeInterval(2 * day)),
        ]
        for entry in entries { try await site.insert(entry, revision: revision(entry)) }
        let all = try await find(site, "harbour")
        #expect(all.hits.first?.itemID.rawValue == "a")
        #expect(all.total == 3 && all.totalIsExact)
        #expect(all.facets == [.news: 2, .page: 1])
        #expect(ids(try await find(site, "harbour", types: [.news])) == ["a", "c"])
        #expect(ids(try await find(site, "harbour", from: epoch.addingTimeInterval(day / 2))) == ["b", "c"])
        #expect(ids(try await find(site, "harbour", until: epoch.addingTimeInterval(day))) == ["a", "b"])
        #expect(ids(try await find(site, "harbour", tag: "sea life")) == ["a"])
        #expect(ids(try await find(site, "harbour -boats")) == ["c"])

        // Past the ranking window the total is a lower bound, and title matches still come in.
        let windowed = try await find(site, "harbour", window: 1)
        #expect(!windowed.totalIsExact)
        #expect(ids(windowed) == ["c", "a"])
        #expect(windowed.hits.map(\.itemID.rawValue) == ["a", "c"])  // titles first, then newest
    }

    @Test(arguments: StoreKind.allCases)
    func folderFiltersFollowMovesAndExclusionsHoldPastTheWindow(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        let entries = [
            doc("lists", parent: "alpha-root", path: "/lists", title: "Lists", type: .folder),
            doc("dev", parent: "lists", path: "/lists/dev", title: "Dev", type: .folder),
            doc("m1", parent: "dev", path: "/lists/dev/m1", title: "Release plans", body: "the release is near"),
            doc("m2", parent: "dev", path: "/lists/dev/m2", title: "Release notes", body: "a release with a tram"),
            doc("old", parent: "alpha-root", path: "/old", title: "Old", type: .folder),
            doc("m3", parent: "alpha-root", path: "/m3", title: "Other", body: "a release elsewhere"),
        ]
        for entry in entries { try await site.insert(entry, revision: revision(entry)) }
        #expect(ids(try await find(site, "release", below: "/lists")) == ["m1", "m2"])
        #expect(ids(try await find(site, "release", below: "/lists/dev")) == ["m1", "m2"])
        #expect(ids(try await find(site, "release", below: "/lists/dev", window: 1)) == ["m2"])  // not m3, added later elsewhere
        #expect(ids(try await find(site, "release", below: "/nowhere")).isEmpty)
        #expect(ids(try await find(site, "\"release is\"", below: "/lists")) == ["m1"])

        // Moving /lists/dev into /old: the filters follow, for the folder and what is in it.
        var dev = try #require(try await site.item(id: ItemID("dev")))
        dev.parentID = ItemID("old")
        dev.path = "/old/dev"
        dev.version += 1
        try await site.update(dev, expectedVersion: dev.version - 1, revision: revision(dev))
        #expect(ids(try await find(site, "release", below: "/lists")).isEmpty)
        #expect(ids(try await find(site, "release", below: "/old")) == ["m1", "m2"])
        #expect(ids(try await find(site, "release", below: "/old/dev")) == ["m1", "m2"])
        #expect(ids(try await find(site, "dev", below: "/old")) == ["dev"])
        #expect(ids(try await find(site, "dev", below: "/lists")).isEmpty)
        #expect(ids(try await find(site, "release")) == ["m1", "m2", "m3"])

        // Excluded words hold for the title tier too, past the window (m2 has "tram" in its body).
        let windowed = try await find(site, "release -tram", window: 1)
        #expect(!windowed.hits.contains { $0.itemID.rawValue == "m2" })
        #expect(ids(windowed).contains("m1"))
        // Phrases: titles first, then the latest added (the move kept m2's place before m3);
        // exact below the window.
        let phrase = try await find(site, "\"release notes\"")
        #expect(phrase.hits.map(\.itemID.rawValue) == ["m2"] && phrase.totalIsExact)
        let loose = try await find(site, "\"a release\"")
        #expect(loose.hits.map(\.itemID.rawValue) == ["m3", "m2"] && loose.total == 2 && loose.totalIsExact)
        // A typed word shaped like a folder's scope token (the SQLite catalog's: "in" and the
        // FNV-1a hash of the folder's id) does not find what is in the folder.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "old".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        let token = "in" + String(repeating: "0", count: 16 - hex.count) + hex
        #expect(try await find(site, token).total == 0)
        #expect(try await find(site, token + " release").total == 0)
        // Prefixes too: the body-only match comes after the titles.
        let prefixed = try await find(site, "relea*")
        #expect(prefixed.hits.last?.itemID.rawValue == "m3" && prefixed.total == 3 && prefixed.totalIsExact)
    }

    @Test(arguments: StoreKind.allCases)
    func aPhraseOfCommonWordsMaySearchTheLatestPartAndSaysSo(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        // "beta alpha" is a phrase twice, the oldest and the latest entry; both words are in
        // every one of 12,002 entries.
        var batch: [(item: Item, revision: Revision)] = []
        func add(_ id: String, _ body: String, day: Int) {
            let entry = doc(id, parent: "alpha-root", path: "/" + id, title: "Entry", body: body, effective: epoch.addingTimeInterval(Double(day) * 60))
            batch.append((entry, revision(entry)))
        }
        add("old", "beta alpha gamma vintage", day: 0)
        for index in 0..<12_000 { add("e\(index)", "alpha beta gamma", day: index + 1) }
        add("new", "beta alpha gamma", day: 12_001)
        try await site.insert(batch: batch)

        let quick = try await find(site, "\"beta alpha\"")
        #expect(ids(quick) == ["new"])
        #expect(quick.isPartial && !quick.totalIsExact)
        let everything = try await site.search(CatalogSearch(
            match: SearchQuery("\"beta alpha\"").matchExpression, visibility: CatalogVisibility(everything: true, at: epoch), window: 1000, complete: true
        ))
        #expect(ids(everything) == ["old", "new"])
        #expect(!everything.isPartial && everything.totalIsExact)
        // With a date range, or a folder with fewer entries, too.
        let dated = try await find(site, "\"beta alpha\"", from: epoch)
        #expect(ids(dated) == ["old", "new"] && !dated.isPartial)
        // With a rare word, the whole catalog is searched.
        let rare = try await find(site, "\"gamma vintage\"")
        #expect(ids(rare) == ["old"] && !rare.isPartial && rare.totalIsExact)
        #expect(ids(try await find(site, "\"beta alpha\" vintage")) == ["old"])
    }

    @Test(arguments: StoreKind.allCases)
    func visibilityHidesPrivateContentFromResultsTotalsAndFacets(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        let entries = [
            doc("pub", parent: "alpha-root", path: "/pub", title: "Zebra facts"),
            doc("priv", parent: "alpha-root", path: "/priv", title: "Zebra secrets", type: .news, state: .private, creator: "u1"),
            doc("pend", parent: "alpha-root", path: "/pend", title: "Zebra review", state: .pending),
            doc("later", parent: "alpha-root", path: "/later", title: "Zebra tomorrow", effective: epoch.addingTimeInterval(3600)),
            doc("club", parent: "alpha-root", path: "/club", title: "Club", type: .folder, membersOnly: true),
            doc("inclub", parent: "club", path: "/club/zebra", title: "Zebra for members"),
            doc("draftf", parent: "alpha-root", path: "/draftf", title: "Drafts", type: .folder, state: .private),
            doc("indraft", parent: "draftf", path: "/draftf/zebra", title: "Zebra in a private folder"),
        ]
        for entry in entries { try await site.insert(entry, revision: revision(entry)) }
        let anonymous = try await find(site, "zebra", visibility: .anonymous(at: epoch))
        #expect(ids(anonymous) == ["pub"])
        #expect(anonymous.total == 1 && anonymous.facets == [.page: 1])
        #expect(ids(try await find(site, "secrets", visibility: .anonymous(at: epoch))).isEmpty)
        #expect(ids(try await find(site, "zebra", visibility: .anonymous(at: epoch.addingTimeInterval(7200)))) == ["pub", "later"])

        let member = CatalogVisibility(everything: false, at: epoch, subtrees: [.init(path: "/", seesEverything: false, seesPublished: true, seesPending: false, contributor: nil)])
        #expect(ids(try await find(site, "zebra", visibility: member)) == ["pub", "inclub"])
        let reviewer = CatalogVisibility(everything: false, at: epoch, subtrees: [.init(path: "/", seesEverything: false, seesPublished: true, seesPending: true, contributor: nil)])
        #expect(ids(try await find(site, "zebra", visibility: reviewer)) == ["pub", "inclub", "pend"])
        let contributor = CatalogVisibility(everything: false, at: epoch, subtrees: [.init(path: "/", seesEverything: false, seesPublished: true, seesPending: false, contributor: UserID("u1"))])
        #expect(ids(try await find(site, "zebra", visibility: contributor)) == ["pub", "inclub", "priv"])
        let localEditor = CatalogVisibility(everything: false, at: epoch, subtrees: [.init(path: "/draftf", seesEverything: true, seesPublished: true, seesPending: false, contributor: nil)])
        #expect(ids(try await find(site, "zebra", visibility: localEditor)) == ["pub", "indraft"])
        #expect(ids(try await find(site, "zebra")).count == 6)
    }

    @Test(arguments: StoreKind.allCases)
    func aHiddenRootHidesEverythingAndManyHiddenFoldersStillWork(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        let page = doc("p", parent: "alpha-root", path: "/p", title: "Quasar notes")
        try await site.insert(page, revision: revision(page))
        // Many private folders: one JSON parameter instead of an expression per folder.
        for index in 0..<1_200 {
            let folder = doc("f\(index)", parent: "alpha-root", path: "/f\(index)", title: "Folder \(index)", type: .folder, state: .private)
            try await site.insert(folder, revision: revision(folder))
        }
        let inside = doc("in", parent: "f7", path: "/f7/quasar", title: "Quasar inside a private folder")
        try await site.insert(inside, revision: revision(inside))
        #expect(ids(try await find(site, "quasar", visibility: .anonymous(at: epoch))) == ["p"])

        var root = try await site.root()
        root.membersOnly = true
        root.version += 1
        try await site.update(root, expectedVersion: root.version - 1, revision: revision(root))
        let anonymous = try await find(site, "quasar", visibility: .anonymous(at: epoch))
        #expect(anonymous.total == 0 && anonymous.facets.isEmpty)
        let member = CatalogVisibility(everything: false, at: epoch, subtrees: [.init(path: "/", seesEverything: false, seesPublished: true, seesPending: false, contributor: nil)])
        #expect(ids(try await find(site, "quasar", visibility: member)) == ["p"])
        root.membersOnly = false
        root.state = .private
        root.version += 1
        try await site.update(root, expectedVersion: root.version - 1, revision: revision(root))
        #expect(try await find(site, "quasar", visibility: member).total == 0)
        #expect(try await find(site, "quasar", visibility: .anonymous(at: epoch)).total == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func anyQueryTextIsSafe(kind: StoreKind) async throws {
        let site = try await makeSite(try kind.make())
        let page = doc("p", parent: "alpha-root", path: "/p", title: "Near the column", body: "title: body NEAR star")
        try await site.insert(page, revision: revision(page))
        let nasty = [
            "\"unbalanced", "a\"b\"c\"", "*", "**", "near(", "NEAR(title body)", "title:near", "{title}: x", "- -", "-near",
            "AND OR NOT", "(", ")", "^near", "near +", String(repeating: "near ", count: 3000), "\u{0}\u{1}", "'; DROP TABLE items; --",
            "星", "ne*", "\"\"", "col*umn", "NOT near",
        ]
        for text in nasty {
            _ = try await find(site, text)
        }
        #expect(ids(try await find(site, "title:near")) == ["p"])
        #expect(ids(try await find(site, "NEAR(title body)")) == ["p"])
    }
}
