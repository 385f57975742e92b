public import Foundation
import GRDB
public import PorticoCore
public import PorticoStore

/// Restores a site from a backup made by `SiteBackup`.
///
/// All-or-nothing: the backup is verified and copied next to the live site first; only then
/// is the site put in maintenance (running servers show the maintenance page and close its
/// database within half a second, through the site change feed), the live folder moved to the
/// trash and the restored one moved into place, and the site reopened with its backed-up
/// settings. If the swap fails, the live folder is moved back.
public enum SiteRestore {
    public struct Options: Sendable {
        /// Restore over an existing site (its current content goes to the trash).
        public var replace: Bool
        /// The site the operator means to restore; a backup of another site is refused.
        public var expectedSite: SiteID?
        /// How long running servers get to notice maintenance before files are swapped.
        public var settleTime: Duration

        public init(replace: Bool = false, expectedSite: SiteID? = nil, settleTime: Duration = .milliseconds(1500)) {
            self.replace = replace
            self.expectedSite = expectedSite
            self.settleTime = settleTime
        }
    }

    @discardableResult
    public static func restore(
        from backup: URL, store: SQLiteContentStore, options: Options = Options(),
        progress: @Sendable (LifecycleProgress) -> Void = { _ in }
    ) async throws -> Site {
        progress(LifecycleProgress(phase: "verify", done: 0, total: 1))
        let manifest = try SiteBackup.verify(backup)
        progress(LifecycleProgress(phase: "verify", done: 1, total: 1))
        let id = manifest.site.id
        if let expected = options.expectedSite, expected != id {
            throw PorticoError.invalid(field: "backup", reason: "is of site \(id), not of \(expected)")
        }
        let existing = try await store.site(id)
        if existing != nil && !options.replace {
            throw PorticoError.invalid(field: "site \(id)", reason: "already exists: add --replace to overwrite it with the backup")
        }
        // Prepare the restored folder beside the live one (same file system: renames are atomic).
        let live = store.folder(of: id)
        let prepared = live.deletingLastPathComponent().appendingPathComponent(".restore-\(id.rawValue)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: prepared, withIntermediateDirectories: true)
        var swapped = false
        do {
            try FileManager.default.copyItem(
                at: backup.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName),
                to: prepared.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName)
            )
            let blobs = try BlobFiles.list(in: backup.appendingPathComponent(SQLiteContentStore.blobFolderName))
            for (index, blob) in blobs.enumerated() {
                let relative = blob.path.dropFirst(backup.path.count + 1)
                let destination = prepared.appendingPathComponent(String(relative))
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try BlobFiles.linkOrCopy(blob, to: destination)
                if index % 100 == 0 || index == blobs.count - 1 { progress(LifecycleProgress(phase: "blobs", done: index + 1, total: blobs.count)) }
            }
            try checkDatabase(prepared.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName))

            progress(LifecycleProgress(phase: "swap", done: 0, total: 1))
            if let existing {
                var closed = existing
                closed.status = .disabled
                try await store.updateSite(closed)
                try await Task.sleep(for: options.settleTime)
                store.closeSite(id)
                if FileManager.default.fileExists(atPath: live.path) { try store.discard(live, site: id) }
                try FileManager.default.moveItem(at: prepared, to: live)
                swapped = true
                // The backed-up settings, with today's hostnames and the status it had.
                var restored = manifest.site
                restored.hostnames = existing.hostnames
                restored.status = existing.status
                try await store.updateSite(restored)
                try await store.touchSite(id)
                progress(LifecycleProgress(phase: "swap", done: 1, total: 1))
                return restored
            } else {
                try FileManager.default.moveItem(at: prepared, to: live)
                swapped = true
                do {
                    try await store.registerRestoredSite(manifest.site)
                } catch {
                    try? FileManager.default.removeItem(at: live)
                    throw error
                }
                progress(LifecycleProgress(phase: "swap", done: 1, total: 1))
                return manifest.site
            }
        } catch {
            if !swapped { try? FileManager.default.removeItem(at: prepared) }
            if let existing, swapped == false {
                // Reopen the site as it was.
                try? await store.updateSite(existing)
            }
            throw error
        }
    }

    /// `PRAGMA integrity_check` on a database file that is not in use.
    static func checkDatabase(_ file: URL) throws {
        let queue = try DatabaseQueue(path: file.path)
        defer { try? queue.close() }
        let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        guard result == ["ok"] else {
            throw PorticoError.invalid(field: "backup", reason: "its database fails the integrity check: \(result.prefix(3).joined(separator: "; "))")
        }
    }
}
