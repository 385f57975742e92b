import Foundation
import PorticoCore
import PorticoStore
import Testing

/// The contract every `ContentStore` must satisfy, run against each `StoreKind`.
@Suite struct ContentStoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func sitesAndHostnames(kind: StoreKind) async throws {
        let store = try kind.make()
        _ = try await makeSite(store, id: "alpha", hostnames: ["alpha.test", "www.alpha.test"])
        _ = try await makeSite(store, id: "beta")
        #expect(try await store.sites().map(\.id.rawValue) == ["alpha", "beta"])
        #expect(try await store.site(forHostname: "www.alpha.test")?.id.rawValue == "alpha")
        #expect(try await store.site(forHostname: "nobody.test") == nil)

        // Taken ids and hostnames are refused, and nothing is half-created.
        let root = item("x", parent: nil, path: "/", type: .folder)
        let clash = Site(id: try SiteID("gamma"), hostnames: ["beta.test"], settings: SiteSettings(name: "G"), created: epoch)
        await #expect(throws: PorticoError.alreadyExists("hostname beta.test")) {
            try await store.createSite(clash, root: root, rootRevision: revision(root))
        }
        #expect(try await store.site(try SiteID("gamma")) == nil)
        let sameID = Site(id: try SiteID("alpha"), hostnames: ["new.test"], settings: SiteSettings(name: "A"), created: epoch)
        await #expect(throws: PorticoError.self) { try await store.createSite(sameID, root: root, rootRevision: revision(root)) }

        var alpha = try #require(try await store.site(try SiteID("alpha")))
        alpha.hostnames = ["alpha.example"]
        alpha.settings.accentColor = "#aa0000"
        try await store.updateSite(alpha)
        #expect(try await store.site(forHostname: "alpha.test") == nil)
        #expect(try await store.site(forHostname: "alpha.example")?.settings.accentColor == "#aa0000")
        alpha.hostnames = ["beta.test"]
        await #expect(throws: PorticoError.alreadyExists("hostname beta.test")) { try await store.updateSite(alpha) }
    }

    @Test(arguments: StoreKind.allCases)
    func changingASiteKeepsItsRolesAndIsInTheChangeFeed(kind: StoreKind) async throws {
        let store = try kind.make()
        let start = try await store.latestSiteChange()
        let content = try await makeSite(store, id: "alpha")
        let alpha = try #require(try await store.site(try SiteID("alpha")))
        let user = User(id: UserID("u1"), username: "jane", displayName: "Jane", passwordHash: "$2b$hash", isPlatformAdmin: false, created: epoch)
        try await store.createUser(user)
        let root = try await content.root()
        let grant = RoleGrant(site: alpha.id, user: user.id, item: root.id, role: .editor)
        try await store.addGrant(grant)
        var changed = try #require(try await store.site(alpha.id))
        changed.status = .disabled
        changed.settings.name = "Alpha, renamed"
        changed.hostnames = ["alpha.example"]
        try await store.updateSite(changed)
        #expect(try await store.grants(site: alpha.id) == [grant])
        #expect(try await store.site(alpha.id) == changed)
        try await store.touchSite(alpha.id)
        let feed = try await store.siteChanges(after: start)
        #expect(feed.sites == [alpha.id])
        #expect(feed.latest == start + 3)
        #expect(try await store.siteChanges(after: feed.latest).sites.isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func deletedSitesAreGone(kind: StoreKind) async throws {
        let store = try kind.make()
        _ = try await makeSite(store, id: "alpha")
        try await store.deleteSite(try SiteID("alpha"))
        #expect(try await store.sites().isEmpty)
        await #expect(throws: PorticoError.notFound("site alpha")) { try await store.content(of: try SiteID("alpha")) }
        await #expect(throws: PorticoError.notFound("site alpha")) { try await store.deleteSite(try SiteID("alpha")) }
        // The id can be used again.
        _ = try await makeSite(store, id: "alpha")
        #expect(try await store.content(of: try SiteID("alpha")).root().path == "/")
    }

    @Test(arguments: StoreKind.allCases)
    func itemsRoundTripExactly(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        var event = item("e", parent: "alpha-root", path: "/e", type: .event, position: 1)
        event.event = EventDetails(start: epoch, end: epoch.addingTimeInterval(3600), location: "Hall")
        event.expires = epoch.addingTimeInterval(86_400)
        event.creator = UserID("u1")
        var image = item("i", parent: "alpha-root", path: "/i", type: .image, position: 2)
        image.blob = BlobReference(sha256: String(repeating: "a", count: 64), mimeType: "image/png", size: 12, filename: "a.png")
        image.imageSize = ImageDimensions(width: 3, height: 4)
        var link = item("l", parent: "alpha-root", path: "/l", type: .link, position: 3)
        link.linkTarget = "https://example.org/"
        for value in [event, image, link] {
            try await site.insert(value, revision: revision(value))
            #expect(try await site.item(id: value.id) == value)
            #expect(try await site.item(path: value.path) == value)
        }
        #expect(try await site.revisions(of: event.id).map(\.snapshot) == [event])
        #expect(try await site.items(paths: ["/e", "/l", "/missing"]).map(\.id.rawValue).sorted() == ["e", "l"])
        #expect(try await site.schemaVersion() >= 1)
    }

    @Test(arguments: StoreKind.allCases)
    func insertRefusesTakenPathsAndMissingParents(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let a = item("a", parent: "alpha-root", path: "/a")
        try await site.insert(a, revision: revision(a))
        let again = item("a2", parent: "alpha-root", path: "/a")
        await #expect(throws: PorticoError.self) { try await site.insert(again, revision: revision(again)) }
        let orphan = item("o", parent: "nobody", path: "/nobody/o")
        await #expect(throws: PorticoError.notFound("parent item")) { try await site.insert(orphan, revision: revision(orphan)) }
        let underPage = item("c", parent: "a", path: "/a/c")
        await #expect(throws: PorticoError.self) { try await site.insert(underPage, revision: revision(underPage)) }
        #expect(try await site.count(matching: ItemQuery()) == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func queriesFilterAndOrder(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let now = epoch.addingTimeInterval(1000)
        let folder = item("f", parent: "alpha-root", path: "/f", type: .folder)
        try await site.insert(folder, revision: revision(folder))
        let entries = [
            item("n1", parent: "f", path: "/f/n1", type: .news, position: 0, effective: epoch.addingTimeInterval(10)),
            item("n2", parent: "f", path: "/f/n2", type: .news, position: 1, effective: epoch.addingTimeInterval(30)),
            item("n3", parent: "f", path: "/f/n3", type: .news, state: .private, position: 2, effective: epoch.addingTimeInterval(20)),
            item("n4", parent: "f", path: "/f/n4", type: .news, position: 3, effective: now.addingTimeInterval(60)),
            item("p", parent: "f", path: "/f/p", type: .page, position: 4),
        ]
        for entry in entries { try await site.insert(entry, revision: revision(entry)) }

        #expect(try await site.items(matching: ItemQuery(parentID: ItemID("f"))).map(\.id.rawValue) == ["n1", "n2", "n3", "n4", "p"])
        let visibleNews = ItemQuery(types: [.news], publiclyVisibleAt: now, order: .newestFirst)
        #expect(try await site.items(matching: visibleNews).map(\.id.rawValue) == ["n2", "n1"])
        #expect(try await site.count(matching: visibleNews) == 2)
        #expect(try await site.items(matching: ItemQuery(below: "/f", order: .path, limit: 2, offset: 1)).map(\.id.rawValue) == ["n2", "n3"])
        #expect(try await site.items(matching: ItemQuery(below: "/", types: [.folder])).map(\.id.rawValue) == ["f"])
        #expect(try await site.childSlugs(of: ItemID("f")) == ["n1", "n2", "n3", "n4", "p"])

        var hidden = folder
        hidden.state = .private
        hidden.version = 2
        try await site.update(hidden, expectedVersion: 1, revision: revision(hidden))
        #expect(try await site.hiddenFolderPaths(at: now) == ["/f"])
    }

    @Test(arguments: StoreKind.allCases)
    func updatesDetectConflicts(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let original = item("a", parent: "alpha-root", path: "/a")
        try await site.insert(original, revision: revision(original))
        var first = original
        first.title = "First"
        first.version = 2
        try await site.update(first, expectedVersion: 1, revision: revision(first))
        var second = original
        second.title = "Second"
        second.version = 2
        await #expect(throws: PorticoError.self) { try await site.update(second, expectedVersion: 1, revision: revision(second)) }
        #expect(try await site.item(id: original.id)?.title == "First")
        #expect(try await site.revisions(of: original.id).map(\.version) == [1, 2])
    }

    @Test(arguments: StoreKind.allCases)
    func renamingMovesTheSubtreeAndKeepsRedirects(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let folder = item("f", parent: "alpha-root", path: "/f", type: .folder)
        let child = item("c", parent: "f", path: "/f/c", type: .folder)
        let grandchild = item("g", parent: "c", path: "/f/c/g")
        let sibling = item("s", parent: "alpha-root", path: "/f_x")  // shares a prefix, must not move
        for value in [folder, child, grandchild, sibling] { try await site.insert(value, revision: revision(value)) }

        var renamed = folder
        renamed.slug = "renamed"
        renamed.path = "/renamed"
        renamed.version = 2
        try await site.update(renamed, expectedVersion: 1, revision: revision(renamed))
        #expect(try await site.item(id: ItemID("g"))?.path == "/renamed/c/g")
        #expect(try await site.item(id: ItemID("s"))?.path == "/f_x")
        #expect(try await site.item(path: "/f/c/g") == nil)
        #expect(try await site.redirect(from: "/f/c/g") == ItemID("g"))
        #expect(try await site.redirect(from: "/f") == ItemID("f"))

        // A new item at an old path takes the path back from the redirect.
        let newcomer = item("n", parent: "alpha-root", path: "/f")
        try await site.insert(newcomer, revision: revision(newcomer))
        #expect(try await site.redirect(from: "/f") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func aPageReadAnswersWhatThePageViewAsksFirst(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let folder = item("f", parent: "alpha-root", path: "/f", type: .folder, position: 0)
        let draft = item("d", parent: "alpha-root", path: "/d", state: .private, position: 1)
        let news = item("n", parent: "alpha-root", path: "/n", type: .news, position: 2)
        let page = item("p", parent: "f", path: "/f/p", position: 0)
        let hidden = item("h", parent: "f", path: "/f/h", state: .private, position: 1)
        try await site.insert(batch: [folder, draft, news, page, hidden].map { ($0, revision($0)) })
        let now = epoch.addingTimeInterval(60)
        func read(_ path: String, smallFolder: Int = 500) async throws -> PageReads {
            try await site.page(PageRead(
                path: path, navigation: ItemQuery(types: [.folder, .page], publiclyVisibleAt: now),
                children: ItemQuery(publiclyVisibleAt: now), smallFolder: smallFolder
            ))
        }
        let root = try await site.root()

        let inFolder = try await read("/f/p")
        #expect(inFolder.item == page)
        #expect(inFolder.ancestors == [root, folder])
        #expect(inFolder.navigation == [folder])  // not the draft, not the news item (type)
        #expect(inFolder.children == nil)  // a page has none

        let ofFolder = try await read("/f")
        #expect(ofFolder.ancestors == [root])
        #expect(ofFolder.children == [page])  // in folder order, the public's view
        #expect(try await read("/f", smallFolder: 1).children == nil)  // two positions: not small

        let home = try await read("/")
        #expect(home.item == root && home.ancestors == [])
        #expect(home.navigation == [folder])
        #expect(home.children == [folder, news])

        let missing = try await read("/nowhere")
        #expect(missing.item == nil && missing.navigation.isEmpty && missing.children == nil)

        // The same answers when the store may read on the calling thread (an event loop's task).
        for path in ["/f/p", "/f", "/", "/nowhere"] {
            let queued = try await read(path)
            let inline = try await InlineReads.$allowed.withValue(true) { try await read(path) }
            #expect(inline.item == queued.item && inline.ancestors == queued.ancestors, "\(path)")
            #expect(inline.navigation == queued.navigation && inline.children == queued.children, "\(path)")
        }

        let newest = ItemQuery(publiclyVisibleAt: now, order: .newestFirst, limit: 3)
        let inlineNewest = try await InlineReads.$allowed.withValue(true) { try await site.items(matching: newest) }
        #expect(inlineNewest == (try await site.items(matching: newest)))
        let inlineHidden = try await InlineReads.$allowed.withValue(true) { try await site.hiddenFolderPaths(at: now) }
        #expect(inlineHidden == (try await site.hiddenFolderPaths(at: now)))

        // Tags come back as stored, a carriage return included ("\r\n" is one Character).
        var tagged = item("t", parent: "f", path: "/f/t", position: 2)
        tagged.tags = ["a\r", "b"]
        try await site.insert(batch: [(tagged, revision(tagged))])
        #expect(try await read("/f/t").item?.tags == ["a\r", "b"])
    }

    /// A store may keep a first revision as "the item as inserted" (the SQLite store does), so
    /// every change to an item row, direct or not, must leave earlier revisions as they were.
    @Test(arguments: StoreKind.allCases)
    func revisionsKeepEarlierStatesThroughEditsMovesAndReorders(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let folder = item("f", parent: "alpha-root", path: "/f", type: .folder)
        try await site.insert(folder, revision: revision(folder))
        let first = item("p", parent: "f", path: "/f/p", position: 0)
        let second = item("q", parent: "f", path: "/f/q", position: 1)
        try await site.insert(batch: [first, second].map { ($0, revision($0)) })
        #expect(try await site.revisions(of: first.id).map(\.snapshot) == [first])

        // An edit of the item itself.
        var edited = first
        edited.title = "Edited"
        edited.version = 2
        try await site.update(edited, expectedVersion: 1, revision: revision(edited))
        #expect(try await site.revisions(of: first.id).map(\.snapshot) == [first, edited])

        // A rename of the folder moves the pages; their history keeps the old paths.
        var renamed = folder
        renamed.slug = "g"
        renamed.path = "/g"
        renamed.version = 2
        try await site.update(renamed, expectedVersion: 1, revision: revision(renamed))
        #expect(try await site.revisions(of: second.id).map(\.snapshot.path) == ["/f/q"])
        #expect(try await site.revisions(of: folder.id).map(\.snapshot) == [folder, renamed])

        // Reordering changes positions; history keeps the old ones.
        try await site.reorder(children: folder.id, [second.id, first.id])
        #expect(try await site.item(id: second.id)?.position == 0)
        #expect(try await site.revisions(of: second.id).map(\.snapshot) == [second])

        // Deleting keeps nothing visible, and breaks nothing for the items that remain.
        _ = try await site.delete(first.id)
        #expect(try await site.revisions(of: second.id).map(\.snapshot) == [second])
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesTheSubtree(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let folder = item("f", parent: "alpha-root", path: "/f", type: .folder)
        let child = item("c", parent: "f", path: "/f/c")
        for value in [folder, child] { try await site.insert(value, revision: revision(value)) }
        #expect(try await site.delete(ItemID("f")) == [ItemID("c")])
        #expect(try await site.item(id: ItemID("c")) == nil)
        await #expect(throws: PorticoError.self) { try await site.delete(ItemID("alpha-root")) }
        await #expect(throws: PorticoError.notFound("item")) { try await site.delete(ItemID("f")) }
    }

    @Test(arguments: StoreKind.allCases)
    func sitesAreIsolated(kind: StoreKind) async throws {
        let store = try kind.make()
        let alpha = try await makeSite(store, id: "alpha")
        let beta = try await makeSite(store, id: "beta")
        let a = item("a", parent: "alpha-root", path: "/only-in-alpha")
        try await alpha.insert(a, revision: revision(a))
        #expect(try await beta.item(path: "/only-in-alpha") == nil)
        #expect(try await beta.count(matching: ItemQuery()) == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func blobsAreContentAddressed(kind: StoreKind) async throws {
        let store = try kind.make()
        let site = try await makeSite(store)
        let data = Data("hello blob".utf8)
        let (sha, size) = try await site.blobs.put(data)
        #expect(sha == "e997afd18e5f6be004fc193aed2c90291e68ab2c7599a62538c935b7fca6ab0f")
        #expect(sha.count == 64 && BlobReference.isValidDigest(sha))
        #expect(size == 10)
        #expect(try await site.blobs.data(sha) == data)
        #expect(try await site.blobs.put(data).sha256 == sha)
        #expect(await site.blobs.contains(sha))
        #expect(site.blobs.localFile("../../etc/passwd") == nil)
        #expect(site.blobs.localFile(String(repeating: "0", count: 64)) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func users(kind: StoreKind) async throws {
        let store = try kind.make()
        let user = User(id: UserID("u1"), username: "jane", displayName: "Jane", passwordHash: "$2b$hash", isPlatformAdmin: false, created: epoch)
        try await store.createUser(user)
        #expect(try await store.user(username: "jane") == user)
        #expect(try await store.user(UserID("u1")) == user)
        await #expect(throws: PorticoError.alreadyExists("user jane")) { try await store.createUser(user) }
        var changed = user
        changed.passwordHash = "$2b$other"
        try await store.updateUser(changed)
        #expect(try await store.users() == [changed])
        #expect(try await store.userCount() == 1)
    }
}
