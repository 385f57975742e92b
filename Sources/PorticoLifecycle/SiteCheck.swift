public import Foundation
import GRDB
public import PorticoCore
public import PorticoStore

/// `portico site check`: is a site's data sound? The database's own integrity and foreign-key
/// checks, every blob file's checksum, and every blob the content refers to (items, their
/// past revisions, the site logo) present.
public struct SiteCheckReport: Sendable, Equatable {
    public var site: SiteID
    public var items = 0
    public var revisions = 0
    public var blobs = 0
    public var blobBytes: Int64 = 0
    public var problems: [String] = []
    public var isHealthy: Bool { problems.isEmpty }
}

public enum SiteCheck {
    public static func check(_ id: SiteID, store: SQLiteContentStore, progress: @Sendable (LifecycleProgress) -> Void = { _ in }) async throws -> SiteCheckReport {
        guard let site = try await store.site(id) else { throw PorticoError.notFound("site \(id)") }
        var report = SiteCheckReport(site: id)
        let folder = store.folder(of: id)
        let database = folder.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName)
        guard FileManager.default.fileExists(atPath: database.path) else {
            report.problems.append("the database \(database.path) is missing")
            return report
        }
        var referenced = Set<String>()
        if let logo = site.settings.logo { referenced.insert(logo.sha256) }
        progress(LifecycleProgress(phase: "database", done: 0, total: 1))
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: database.path, configuration: configuration)
            defer { try? queue.close() }
            let found = try await queue.read { db -> (problems: [String], items: Int, revisions: Int, blobs: Set<String>) in
                var problems: [String] = []
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if integrity != ["ok"] { problems.append("database integrity: " + integrity.prefix(5).joined(separator: "; ")) }
                let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                if !foreignKeys.isEmpty { problems.append("\(foreignKeys.count) rows refer to missing rows (foreign keys)") }
                let items = try Int.fetchOne(db, sql: "SELECT count(*) FROM items") ?? 0
                let revisions = try Int.fetchOne(db, sql: "SELECT count(*) FROM revisions") ?? 0
                var blobs = Set(try String.fetchAll(db, sql: "SELECT DISTINCT blob_sha256 FROM items WHERE blob_sha256 IS NOT NULL"))
                let decoder = JSONDecoder()
                let snapshots = try String.fetchCursor(db, sql: "SELECT snapshot FROM revisions WHERE snapshot LIKE '%sha256%'")
                while let snapshot = try snapshots.next() {
                    if let item = try? decoder.decode(Item.self, from: Data(snapshot.utf8)), let blob = item.blob { blobs.insert(blob.sha256) }
                }
                return (problems, items, revisions, blobs)
            }
            report.problems += found.problems
            report.items = found.items
            report.revisions = found.revisions
            referenced.formUnion(found.blobs)
        } catch {
            report.problems.append("the database cannot be read: \(error)")
            return report
        }
        progress(LifecycleProgress(phase: "database", done: 1, total: 1))
        let files = try BlobFiles.list(in: folder.appendingPathComponent(SQLiteContentStore.blobFolderName))
        var present = Set<String>()
        for (index, file) in files.enumerated() {
            let name = file.lastPathComponent
            present.insert(name)
            report.blobs += 1
            report.blobBytes += Int64((try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
            if try BlobFiles.sha256(of: file) != name { report.problems.append("blob \(name) does not match its checksum") }
            if index % 100 == 0 || index == files.count - 1 { progress(LifecycleProgress(phase: "blobs", done: index + 1, total: files.count)) }
        }
        for missing in referenced.subtracting(present).sorted() {
            report.problems.append("blob \(missing) is referred to but missing")
        }
        return report
    }
}
