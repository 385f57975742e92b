import Foundation
import GRDB
import PorticoCore

/// A site being created from records, built in `<data>/staging/<id>-<random>/` with the same
/// layout as a site folder (`content.sqlite`, `blobs/`), then renamed into `sites/<id>` and
/// registered in one platform transaction. The staging folder is on the same volume, so the
/// rename is atomic; until it happens no reader can see the site, and `discard` removes it.
final class SQLiteSiteImport: SiteImportStaging {
    let store: SQLiteContentStore
    let siteID: SiteID
    let folder: URL
    let scratchFolder: URL

    init(store: SQLiteContentStore, siteID: SiteID) throws {
        self.store = store
        self.siteID = siteID
        folder = store.dataFolder.appendingPathComponent(SQLiteLayout.stagingFolderName)
            .appendingPathComponent("\(siteID.rawValue)-\(UUID().uuidString.lowercased().prefix(12))")
        scratchFolder = folder.appendingPathComponent("incoming")
        do {
            try FileManager.default.createDirectory(at: scratchFolder, withIntermediateDirectories: true)
        } catch {
            throw PorticoError.storage("cannot create a staging folder in \(store.dataFolder.path): \(SQLiteContentStore.reason(error))")
        }
    }

    private var blobFolder: URL { folder.appendingPathComponent(SQLiteLayout.blobFolderName) }

    func addBlob(file: URL, sha256: String) async throws {
        guard BlobReference.isValidDigest(sha256) else { throw PorticoError.invalid(field: "blob", reason: "has a malformed digest") }
        let fm = FileManager.default
        let target = blobFolder.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
        do {
            if fm.fileExists(atPath: target.path) {
                try fm.removeItem(at: file)
                return
            }
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.moveItem(at: file, to: target)
        } catch {
            throw PorticoError.storage("cannot stage blob \(sha256): \(SQLiteContentStore.reason(error))")
        }
    }

    func commit(_ records: SiteRecords) async throws -> [PortableGrant] {
        let site = records.site
        guard site.id == siteID else {
            throw PorticoError.invalid(field: "site id", reason: "\(site.id) differs from \(siteID), the id this import was started for")
        }
        if let taken = try await store.platformRead({ db in try Self.taken(site, db) }) {
            throw PorticoError.alreadyExists(taken)
        }
        try buildDatabase(records)
        try checkBlobs(records.referencedBlobs)
        try? FileManager.default.removeItem(at: scratchFolder)
        // A folder without a site row is a leftover; with one, someone created the site meanwhile.
        if FileManager.default.fileExists(atPath: store.siteFolder(siteID).path), try await store.site(siteID) != nil {
            throw PorticoError.alreadyExists("site \(siteID)")
        }
        let target = try moveIntoPlace()
        let identity = Self.identity(of: target)
        do {
            let skipped = try await store.platformWrite { db -> [PortableGrant] in
                if let taken = try Self.taken(site, db) { throw PorticoError.alreadyExists(taken) }
                try SQLiteContentStore.insertSite(site, db)
                let skipped = try Self.insertGrants(records.grants, site: site.id, db)
                try SQLiteContentStore.recordChange(site.id, db)
                return skipped
            }
            // Forget a failure to open this id remembered from before it existed.
            store.openSites.close(siteID)
            return skipped
        } catch {
            // Remove the folder only if it is still ours: a concurrent create may own it now.
            if let identity, Self.identity(of: target) == identity {
                try? FileManager.default.removeItem(at: target)
            }
            throw error
        }
    }

    func discard() async {
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: Steps

    /// Writes every record in one transaction, verifies the result and closes the database.
    private func buildDatabase(_ records: SiteRecords) throws {
        let file = folder.appendingPathComponent(SQLiteLayout.siteDatabaseName)
        do {
            let pool = try SQLiteSiteStore.makePool(at: file, readers: 1)
            try Migrations.run(Migrations.site, on: pool)
            // Parents before children, so that every parent reference holds when it is written.
            let items = records.items.sorted { Self.depth($0.path) < Self.depth($1.path) }
            try pool.write { db in
                for item in items {
                    try db.execute(sql: ItemRows.insertSQL, arguments: ItemRows.insertArguments(item))
                }
                for revision in records.revisions {
                    try SQLiteSiteStore.insertRevision(revision, db)
                }
                for redirect in records.redirects {
                    try db.execute(sql: "INSERT INTO redirects (old_path, item_id, created) VALUES (?, ?, ?)", arguments: [
                        redirect.oldPath, redirect.itemID.rawValue, redirect.created.millisecondsSince1970,
                    ])
                }
                // The catalog is derived: an archive does not carry it.
                try SQLiteCatalog.rebuild(db, progress: nil)
            }
            try pool.read { db in try Self.verify(db, records) }
            try pool.close()
        } catch let error as DatabaseError {
            throw PorticoError.invalid(field: "site records", reason: "cannot be stored: \(error.message ?? error.description)")
        }
    }

    private static func verify(_ db: Database, _ records: SiteRecords) throws {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        guard integrity == ["ok"] else { throw PorticoError.storage("the new site database failed its integrity check: \(integrity.prefix(3).joined(separator: "; "))") }
        if try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") != nil {
            throw PorticoError.invalid(field: "site records", reason: "refer to items that do not exist")
        }
        let roots = try String.fetchAll(db, sql: "SELECT path FROM items WHERE parent_id IS NULL")
        guard roots == ["/"] else { throw PorticoError.invalid(field: "site records", reason: "must have exactly one root item, at /") }
        let counts = try Row.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM items), (SELECT COUNT(*) FROM revisions), (SELECT COUNT(*) FROM redirects)")
        guard let counts, counts[0] == records.items.count, counts[1] == records.revisions.count, counts[2] == records.redirects.count else {
            throw PorticoError.invalid(field: "site records", reason: "contain duplicates (the stored counts differ)")
        }
    }

    private func checkBlobs(_ digests: Set<String>) throws {
        let blobs = FileBlobStore(root: blobFolder)
        let missing = digests.filter { blobs.localFile($0) == nil }.sorted()
        guard missing.isEmpty else {
            throw PorticoError.invalid(field: "site records", reason: "refer to \(missing.count) blob(s) that were not supplied, such as \(missing[0])")
        }
    }

    /// Renames the staging folder to `sites/<id>`, after making what it holds durable.
    private func moveIntoPlace() throws -> URL {
        let fm = FileManager.default
        let target = store.siteFolder(siteID)
        if fm.fileExists(atPath: target.path) {
            // A leftover of an interrupted creation (the platform has no such site): set aside.
            try store.moveToTrash(target, id: siteID)
        }
        Self.syncFolders(under: blobFolder)
        Self.syncFolder(folder)
        do {
            try fm.moveItem(at: folder, to: target)
        } catch {
            if fm.fileExists(atPath: target.path) { throw PorticoError.alreadyExists("a folder for site \(siteID)") }
            throw PorticoError.storage("cannot move the new site into place: \(SQLiteContentStore.reason(error))")
        }
        Self.syncFolder(target.deletingLastPathComponent())
        return target
    }

    // MARK: Platform

    /// What of `site` is taken already (its id, or one of its hostnames), for the message.
    private static func taken(_ site: Site, _ db: Database) throws -> String? {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE id = ?", arguments: [site.id.rawValue]) == true {
            return "site \(site.id)"
        }
        for host in site.hostnames {
            if let owner = try String.fetchOne(db, sql: "SELECT site_id FROM hostnames WHERE hostname = ?", arguments: [host]) {
                return "hostname \(host) (used by site \(owner))"
            }
        }
        return nil
    }

    /// Grants whose username exists here; returns the others.
    private static func insertGrants(_ grants: [PortableGrant], site: SiteID, _ db: Database) throws -> [PortableGrant] {
        var skipped: [PortableGrant] = []
        for grant in grants {
            guard let user = try String.fetchOne(db, sql: "SELECT id FROM users WHERE username = ?", arguments: [grant.username]) else {
                skipped.append(grant)
                continue
            }
            try db.execute(sql: "INSERT OR IGNORE INTO grants (site_id, user_id, item_id, role) VALUES (?, ?, ?, ?)", arguments: [
                site.rawValue, user, grant.item.rawValue, grant.role.rawValue,
            ])
        }
        return skipped
    }

    // MARK: Files

    private static func depth(_ path: String) -> Int {
        path.utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 } - (path == "/" ? 1 : 0)
    }

    /// The file's device and inode, which tell one folder from another at the same path.
    private static func identity(of url: URL) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let inode = attributes[.systemFileNumber], let device = attributes[.systemNumber] else { return nil }
        return "\(device):\(inode)"
    }

    private static func syncFolders(under root: URL) {
        let children = (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? []
        for child in children { syncFolder(child) }
        syncFolder(root)
    }

    private static func syncFolder(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

extension SQLiteLayout {
    /// Sites being imported, out of sight until they are complete.
    static let stagingFolderName = "staging"
}
