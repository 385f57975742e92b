import Foundation
import PorticoTestSupport
import GRDB
import PorticoCore
@testable import PorticoStore
import Testing

/// Behaviour specific to the embedded SQLite store: files, bounded open sites, broken files.
@Suite struct SQLiteStoreTests {
    func makeStore(capacity: Int = 16, readersPerSite: Int = 2) throws -> (SQLiteContentStore, URL) {
        let folder = TestFolders.url("portico-sqlite")
        return (try SQLiteContentStore(dataFolder: folder, maximumOpenSites: capacity, readersPerSite: readersPerSite), folder)
    }

    @Test func oneDatabasePerSiteInWALMode() async throws {
        let (store, folder) = try makeStore()
        _ = try await makeSite(store, id: "alpha")
        let database = folder.appendingPathComponent("sites/alpha/content.sqlite")
        #expect(FileManager.default.fileExists(atPath: database.path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("platform.sqlite").path))
        let header = try Data(contentsOf: database).prefix(20)
        #expect(header[18] == 2 && header[19] == 2)  // WAL read/write versions
    }

    @Test func theCatalogKeepsLargeFullTextSegmentsInMemory() async throws {
        // FTS5's hashsize, set by the schema (and by a migration for older sites), is what
        // lets a bulk transaction write one index segment instead of a dozen.
        let (store, folder) = try makeStore()
        _ = try await makeSite(store, id: "alpha")
        store.closeSite(try SiteID("alpha"))
        let database = try DatabaseQueue(path: folder.appendingPathComponent("sites/alpha/content.sqlite").path)
        let hashSize = try await database.read { db in try Int.fetchOne(db, sql: "SELECT v FROM catalog_config WHERE k = 'hashsize'") }
        #expect(hashSize == 16 << 20)
    }

    @Test func portico_rankGivenExactFrequenciesScoresLikeFTS5sBM25() async throws {
        // The catalog's ranking function is BM25 with the word frequencies passed in; given
        // the exact ones, it must score every entry as FTS5's bm25() does.
        let (store, folder) = try makeStore()
        let site = try await makeSite(store, id: "alpha")
        let texts = [
            ("Harbour news", "boats in the harbour, more boats"), ("Boats", "the harbour was calm"),
            ("Mountains", "far from any harbour and any boats at all, a long way"), ("Fields", "no water here"),
            ("Harbour harbour", "a harbour"),
        ] + (0..<20).map { ("Field \($0)", "grass and sheep") }  // so that the words weigh something
        for (index, (title, body)) in texts.enumerated() {
            var entry = item("i\(index)", parent: "alpha-root", path: "/i\(index)")
            entry.title = title
            entry.body = body
            entry.bodyHTML = "<p>" + body + "</p>"
            try await site.insert(entry, revision: revision(entry))
        }
        store.closeSite(try SiteID("alpha"))
        let database = try DatabaseQueue(path: folder.appendingPathComponent("sites/alpha/content.sqlite").path)
        let rows = try await database.read { db -> [Row] in
            try CatalogRank.register(db)
            let entries = try Double(Int.fetchOne(db, sql: "SELECT count(*) FROM catalog_meta") ?? 0)
            func idf(_ word: String) throws -> Double {
                let count = try Double(Int.fetchOne(db, sql: "SELECT count(*) FROM catalog WHERE catalog MATCH ?", arguments: [word]) ?? 0)
                return max(1e-6, log((entries - count + 0.5) / (count + 0.5)))
            }
            return try Row.fetchAll(db, sql: """
                SELECT rowid, bm25(catalog, 10.0, 4.0, 1.0, 5.0, 2.0, 0.0), portico_rank(catalog, ?, ?)
                FROM catalog WHERE catalog MATCH '"harbour" "boats"'
                """, arguments: [try idf("\"harbour\""), try idf("\"boats\"")])
        }
        #expect(rows.count == 3)
        for row in rows {
            let bm25: Double = row[1]
            let rank: Double = row[2]
            #expect(bm25 < -0.1 && abs(bm25 - rank) < 1e-9 * abs(bm25), "entry \(row[0] as Int64): bm25 \(bm25), portico_rank \(rank)")
        }
    }

    @Test func openSitesStayBounded() async throws {
        let (store, _) = try makeStore(capacity: 3)
        for index in 0..<8 { _ = try await makeSite(store, id: "site\(index)") }
        for index in 0..<8 {
            _ = try await store.content(of: try SiteID("site\(index)")).root()
        }
        #expect(store.openSiteUsage.open <= 3)
    }

    @Test func openingASiteWithOneConnectionOnlyReadsIt() async throws {
        let (store, folder) = try makeStore(capacity: 4, readersPerSite: 0)
        _ = try await makeSite(store, id: "alpha")
        let site = try SiteID("alpha")
        store.closeSite(site)
        let database = folder.appendingPathComponent("sites/alpha/content.sqlite")
        let wal = URL(fileURLWithPath: database.path + "-wal")
        #expect(!FileManager.default.fileExists(atPath: wal.path), "the last close removes the WAL")
        let before = try Data(contentsOf: database)

        // A first hit: open, check the schema version, read.
        _ = try await store.content(of: site).root()
        let walSize = try FileManager.default.attributesOfItem(atPath: wal.path)[.size] as? Int
        #expect(walSize == 0, "opening and reading wrote \(walSize ?? -1) bytes to the WAL")
        store.closeSite(site)
        #expect(try Data(contentsOf: database) == before)
    }

    @Test func aSiteDatabaseInRollbackModeIsSwitchedToWALWhenOpened() async throws {
        let (store, folder) = try makeStore(capacity: 4, readersPerSite: 0)
        _ = try await makeSite(store, id: "alpha")
        let site = try SiteID("alpha")
        store.closeSite(site)
        let database = folder.appendingPathComponent("sites/alpha/content.sqlite")
        // What a copy made in rollback-journal mode looks like: file format versions 1/1.
        var bytes = try Data(contentsOf: database)
        bytes[18] = 1
        bytes[19] = 1
        try bytes.write(to: database)

        #expect(try await store.content(of: site).root().isRoot)
        store.closeSite(site)
        let header = try Data(contentsOf: database).prefix(20)
        #expect(header[18] == 2 && header[19] == 2)
    }

    @Test func evictedSitesAreClosedSoon() async throws {
        let (store, folder) = try makeStore(capacity: 2, readersPerSite: 0)
        for index in 0..<6 { _ = try await makeSite(store, id: "site\(index)") }
        for index in 0..<6 { _ = try await store.content(of: try SiteID("site\(index)")).root() }
        // An open site has a WAL file; a closed one has none. Closing happens in the background.
        func openWALs() -> Int {
            (0..<6).filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("sites/site\($0)/content.sqlite-wal").path) }.count
        }
        for _ in 0..<200 where openWALs() > 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(openWALs() == 2)
    }

    @Test func aMissingOrCorruptDatabaseMakesOnlyThatSiteUnavailable() async throws {
        let (store, folder) = try makeStore(capacity: 1)
        _ = try await makeSite(store, id: "good")
        _ = try await makeSite(store, id: "broken")
        _ = try await makeSite(store, id: "gone")
        // Push the broken sites out of the open cache, then damage their files.
        _ = try await store.content(of: try SiteID("good")).root()
        let broken = folder.appendingPathComponent("sites/broken/content.sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: broken.path + suffix) }
        try Data(repeating: 0x42, count: 8192).write(to: broken)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("sites/gone/content.sqlite"))

        await #expect(throws: PorticoError.self) { _ = try await store.content(of: try SiteID("broken")).root() }
        do {
            _ = try await store.content(of: try SiteID("broken")).root()
        } catch let error as PorticoError {
            guard case .siteUnavailable = error else { Issue.record("expected siteUnavailable, got \(error)"); return }
        }
        do {
            _ = try await store.content(of: try SiteID("gone")).root()
            Issue.record("a missing database must not be recreated silently")
        } catch let error as PorticoError {
            guard case .siteUnavailable = error else { Issue.record("expected siteUnavailable, got \(error)"); return }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("sites/gone/content.sqlite").path))
        #expect(try await store.content(of: try SiteID("good")).root().path == "/")
    }

    @Test func anUnwritableDataFolderIsReportedClearly() throws {
        let folder = TestFolders.url("portico-ro")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        #expect(throws: PorticoError.self) { try SQLiteContentStore(dataFolder: file) }
    }

    @Test func deletedSitesGoToTheTrash() async throws {
        let (store, folder) = try makeStore()
        _ = try await makeSite(store, id: "alpha")
        try await store.deleteSite(try SiteID("alpha"))
        let trash = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("trash").path)
        #expect(trash.count == 1 && trash[0].hasPrefix("alpha-"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("sites/alpha").path))
    }
}

/// The role lookup must not depend on how many grants a user has: it is one indexed search by
/// (site, user, item), never a scan or one condition per grant.
@Suite struct GrantLookupTests {
    @Test func aUserWithAThousandGrantsIsLookedUpByIndex() async throws {
        let folder = TestFolders.url("portico-grants")
        let store = try SQLiteContentStore(dataFolder: folder)
        let site = try await makeSite(store, id: "alpha")
        let root = try await site.root()
        let user = User(id: UserID("busy"), username: "busy", displayName: "Busy", passwordHash: "x", isPlatformAdmin: false, created: epoch)
        try await store.createUser(user)
        for index in 0..<1000 {
            try await store.addGrant(RoleGrant(site: try SiteID("alpha"), user: user.id, item: ItemID("folder-\(index)"), role: .editor))
        }
        try await store.addGrant(RoleGrant(site: try SiteID("alpha"), user: user.id, item: root.id, role: .member))
        let found = try await store.grants(site: try SiteID("alpha"), user: user.id, on: [root.id, ItemID("folder-7"), ItemID("nowhere")])
        #expect(Set(found.map(\.role)) == [.member, .editor])
        #expect(found.count == 2)
        let plan = try store.explainGrantLookup(ancestors: 5)
        #expect(plan.contains("SEARCH grants USING") && plan.contains("INDEX"), "\(plan)")
        #expect(!plan.contains("SCAN grants"), "\(plan)")
    }
}
