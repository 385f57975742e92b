import Foundation
import GRDB
import PorticoCore

extension SQLiteContentStore {
    public func latestSiteChange() async throws -> Int64 {
        try await platformRead { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM site_changes") ?? 0 }
    }

    public func siteChanges(after sequence: Int64) async throws -> (latest: Int64, sites: Set<SiteID>) {
        try await platformRead { db in
            var latest = sequence
            var sites = Set<SiteID>()
            for row in try Row.fetchAll(db, sql: "SELECT seq, site_id FROM site_changes WHERE seq > ? ORDER BY seq", arguments: [sequence]) {
                latest = max(latest, row["seq"])
                if let id = try? SiteID(row["site_id"] as String) { sites.insert(id) }
            }
            return (latest, sites)
        }
    }

    public func touchSite(_ id: SiteID) async throws {
        openSites.close(id)
        try await platformWrite { db in try Self.recordChange(id, db) }
    }

    public func closeSite(_ id: SiteID) {
        openSites.close(id)
    }

    /// Appends to the change feed inside the caller's transaction; keeps the last 10,000.
    static func recordChange(_ id: SiteID, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO site_changes (site_id, at) VALUES (?, ?)", arguments: [id.rawValue, Date().millisecondsSince1970])
        let last = db.lastInsertedRowID
        if last % 1000 == 0 { try db.execute(sql: "DELETE FROM site_changes WHERE seq <= ?", arguments: [last - 10_000]) }
    }
}
