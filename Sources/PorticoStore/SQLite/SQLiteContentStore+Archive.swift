import Foundation
import GRDB
public import PorticoCore

/// Whole-site reads for export, and the door to creating a site from records (import).
extension SQLiteContentStore: SiteArchiveStore {
    public func records(of id: SiteID) async throws -> SiteRecords {
        guard let site = try await site(id) else { throw PorticoError.notFound("site \(id)") }
        guard let content = try await content(of: id) as? SQLiteSiteStore else {
            throw PorticoError.storage("site \(id) is not stored in SQLite")
        }
        // One read transaction: a snapshot even while editors keep saving.
        let (items, revisions, redirects): ([Item], [Revision], [Redirect]) = try await content.read { db in
            let items = try Self.allItems(db)
            return (items, try Self.allRevisions(db, items: items), try Self.allRedirects(db))
        }
        let mentioned = Set(items.compactMap(\.creator) + revisions.compactMap(\.author) + revisions.compactMap(\.snapshot.creator))
        let (grants, usernames) = try await platformRead { db in
            try Self.portableGrants(of: id, mentioning: mentioned, db)
        }
        return SiteRecords(site: site, items: items, revisions: revisions, redirects: redirects, grants: grants, usernames: usernames)
    }

    public func beginSiteImport(_ id: SiteID) async throws -> any SiteImportStaging {
        try SQLiteSiteImport(store: self, siteID: id)
    }

    // MARK: Reading a site database

    private static func allItems(_ db: Database) throws -> [Item] {
        try ItemRows.fetchAll(db.makeStatement(sql: "SELECT \(ItemRows.columns) FROM items ORDER BY path"))
    }

    /// Every revision, with the snapshots that item rows stand for (`SQLiteSiteStore.sameAsItem`) filled in.
    private static func allRevisions(_ db: Database, items: [Item]) throws -> [Revision] {
        let rows = try Row.fetchAll(db, sql: "SELECT item_id, version, author, date, comment, snapshot FROM revisions ORDER BY item_id, version")
        let decoder = RevisionCoding.decoder
        let byID = Dictionary(items.map { ($0.id.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
        return try rows.compactMap { row in
            let author: String? = row[2]
            let stored: String = row[5]
            let snapshot: Item
            if stored == SQLiteSiteStore.sameAsItem {
                // The row is gone only if something bypassed the store; such a revision has nothing to say.
                guard let item = byID[row[0] as String] else { return nil }
                snapshot = item
            } else {
                snapshot = try decoder.decode(Item.self, from: Data(stored.utf8))
            }
            return Revision(itemID: ItemID(row[0]), version: row[1], author: author.map(UserID.init), date: Date(millisecondsSince1970: row[3]), comment: row[4], snapshot: snapshot)
        }
    }

    private static func allRedirects(_ db: Database) throws -> [Redirect] {
        try Row.fetchAll(db, sql: "SELECT old_path, item_id, created FROM redirects ORDER BY old_path").map { row in
            Redirect(oldPath: row[0], itemID: ItemID(row[1]), created: Date(millisecondsSince1970: row[2]))
        }
    }

    // MARK: Reading the platform

    /// The site's grants by username, and the usernames of every user in `mentioned`.
    private static func portableGrants(of id: SiteID, mentioning mentioned: Set<UserID>, _ db: Database) throws -> ([PortableGrant], [UserID: String]) {
        var usernames: [UserID: String] = [:]
        var grants: [PortableGrant] = []
        let rows = try Row.fetchAll(db, sql: """
            SELECT u.username, g.item_id, g.role, u.id FROM grants g JOIN users u ON u.id = g.user_id
            WHERE g.site_id = ? ORDER BY g.item_id, u.username, g.role
            """, arguments: [id.rawValue])
        for row in rows {
            // A role this version does not know is skipped, as everywhere else.
            guard let role = Role(rawValue: row[2]) else { continue }
            grants.append(PortableGrant(username: row[0], item: ItemID(row[1]), role: role))
            usernames[UserID(row[3])] = row[0]
        }
        let ids = mentioned.map(\.rawValue).sorted()
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT id, username FROM users WHERE id IN (\(marks))", arguments: StatementArguments(chunk)) {
                usernames[UserID(row[0])] = row[1]
            }
        }
        return (grants, usernames)
    }
}
