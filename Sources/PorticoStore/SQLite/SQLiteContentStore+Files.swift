public import Foundation
import GRDB
public import PorticoCore

/// Where a site's files live, for operations that work on them directly (backup, restore,
/// check). Content changes still go through the store.
extension SQLiteContentStore {
    /// `<data>/sites/<id>`: the site's database and blobs.
    public func folder(of site: SiteID) -> URL { siteFolder(site) }

    /// The file name of a site's database inside its folder.
    public static var siteDatabaseFileName: String { SQLiteLayout.siteDatabaseName }

    /// The name of the blob folder inside a site's folder.
    public static var blobFolderName: String { SQLiteLayout.blobFolderName }

    /// Moves a folder into `<data>/trash` (kept until purged).
    public func discard(_ folder: URL, site: SiteID) throws {
        try moveToTrash(folder, id: site)
    }

    /// `<data>/trash`: deleted and replaced sites.
    public var trashFolder: URL { dataFolder.appendingPathComponent(SQLiteLayout.trashFolderName, isDirectory: true) }

    /// The schema version a site database gets from this code (the number of site migrations).
    public static var expectedSiteSchemaVersion: Int { Migrations.site.migrations.count }
}

extension SQLiteContentStore {
    /// Registers a site whose folder was put in place by a restore or an import. Refuses an
    /// id or hostname already in use.
    public func registerRestoredSite(_ site: Site) async throws {
        try await platformWrite { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE id = ?", arguments: [site.id.rawValue]) == true {
                throw PorticoError.alreadyExists("site \(site.id)")
            }
            for host in site.hostnames where try Bool.fetchOne(db, sql: "SELECT 1 FROM hostnames WHERE hostname = ?", arguments: [host]) == true {
                throw PorticoError.alreadyExists("hostname \(host)")
            }
            try Self.insertSite(site, db)
            try Self.recordChange(site.id, db)
        }
    }
}
