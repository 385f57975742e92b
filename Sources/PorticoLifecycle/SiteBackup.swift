public import Foundation
import Crypto
import GRDB
public import PorticoCore
public import PorticoStore

/// The description of a backup, stored beside its database as `backup.json`.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1
    public var format = "portico-site-backup"
    public var formatVersion: Int
    public var porticoVersion: String
    public var site: Site
    public var created: Date
    public var schemaVersion: Int
    public var databaseSHA256: String
    public var blobCount: Int
    public var blobBytes: Int64
}

/// What a long operation reports as it goes.
public struct LifecycleProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int

    public init(phase: String, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

/// Backups of one site taken while it serves: the database through SQLite's online backup
/// API inside one read transaction (a consistent snapshot even while editors write), then the
/// blobs, which are immutable and content-addressed, so every blob the snapshot refers to is
/// already on disk. A backup is a folder (`<site>-<UTC time>.backup`) written under a temporary
/// name and renamed when complete, so a half-written backup never looks like a backup.
public enum SiteBackup {
    public static func backup(
        _ id: SiteID, store: SQLiteContentStore, into folder: URL, now: Date = Date(),
        progress: @Sendable (LifecycleProgress) -> Void = { _ in }
    ) async throws -> URL {
        guard let site = try await store.site(id) else { throw PorticoError.notFound("site \(id)") }
        let siteFolder = store.folder(of: id)
        let database = siteFolder.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName)
        guard FileManager.default.fileExists(atPath: database.path) else {
            throw PorticoError.siteUnavailable(site: id.rawValue, reason: "database \(database.path) is missing")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = "\(id.rawValue)-\(stamp(now)).backup"  // see `isBackup(_:of:)`
        let target = folder.appendingPathComponent(name, isDirectory: true)
        guard !FileManager.default.fileExists(atPath: target.path) else { throw PorticoError.alreadyExists("backup \(target.path)") }
        let temporary = folder.appendingPathComponent(".tmp-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        do {
            progress(LifecycleProgress(phase: "database", done: 0, total: 1))
            let copy = temporary.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName)
            var configuration = Configuration()
            configuration.readonly = true
            let source = try DatabaseQueue(path: database.path, configuration: configuration)
            let destination = try DatabaseQueue(path: copy.path)
            try source.backup(to: destination)
            let schemaVersion = try await destination.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            try await destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try destination.close()
            try source.close()
            progress(LifecycleProgress(phase: "database", done: 1, total: 1))

            let blobs = try BlobFiles.list(in: siteFolder.appendingPathComponent(SQLiteContentStore.blobFolderName))
            var bytes: Int64 = 0
            for (index, blob) in blobs.enumerated() {
                let relative = blob.path.dropFirst(siteFolder.path.count + 1)
                let destinationFile = temporary.appendingPathComponent(String(relative))
                try FileManager.default.createDirectory(at: destinationFile.deletingLastPathComponent(), withIntermediateDirectories: true)
                try BlobFiles.linkOrCopy(blob, to: destinationFile)
                bytes += Int64((try? blob.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
                if index % 100 == 0 || index == blobs.count - 1 { progress(LifecycleProgress(phase: "blobs", done: index + 1, total: blobs.count)) }
            }
            let manifest = BackupManifest(
                formatVersion: BackupManifest.currentFormatVersion, porticoVersion: PorticoVersion.string, site: site, created: now,
                schemaVersion: schemaVersion, databaseSHA256: try BlobFiles.sha256(of: copy), blobCount: blobs.count, blobBytes: bytes
            )
            try manifestEncoder.encode(manifest).write(to: temporary.appendingPathComponent("backup.json"), options: .atomic)
            try FileManager.default.moveItem(at: temporary, to: target)
            return target
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? PorticoError { throw error }
            throw PorticoError.storage("backup of site \(id) failed: \(error)")
        }
    }

    /// Reads and checks a backup folder: manifest, database checksum and integrity, every
    /// blob's checksum. Throws `.invalid` naming the first problem.
    public static func verify(_ backup: URL) throws -> BackupManifest {
        let manifestFile = backup.appendingPathComponent("backup.json")
        guard let data = try? Data(contentsOf: manifestFile) else {
            throw PorticoError.invalid(field: "backup", reason: "\(backup.path) is not a Portico backup (no backup.json)")
        }
        let manifest: BackupManifest
        do {
            manifest = try manifestDecoder.decode(BackupManifest.self, from: data)
        } catch {
            throw PorticoError.invalid(field: "backup", reason: "\(manifestFile.path) cannot be read: \(error)")
        }
        guard manifest.format == "portico-site-backup" else { throw PorticoError.invalid(field: "backup", reason: "\(backup.path) is not a Portico site backup") }
        guard manifest.formatVersion <= BackupManifest.currentFormatVersion else {
            throw PorticoError.invalid(field: "backup", reason: "made by a newer Portico (format \(manifest.formatVersion)); this Portico reads format \(BackupManifest.currentFormatVersion)")
        }
        guard manifest.schemaVersion <= SQLiteContentStore.expectedSiteSchemaVersion else {
            throw PorticoError.invalid(field: "backup", reason: "its database has schema \(manifest.schemaVersion), newer than this Portico's \(SQLiteContentStore.expectedSiteSchemaVersion)")
        }
        let database = backup.appendingPathComponent(SQLiteContentStore.siteDatabaseFileName)
        guard FileManager.default.fileExists(atPath: database.path), try BlobFiles.sha256(of: database) == manifest.databaseSHA256 else {
            throw PorticoError.invalid(field: "backup", reason: "the database in \(backup.path) is missing or does not match its checksum")
        }
        let blobs = try BlobFiles.list(in: backup.appendingPathComponent(SQLiteContentStore.blobFolderName))
        guard blobs.count == manifest.blobCount else {
            throw PorticoError.invalid(field: "backup", reason: "\(blobs.count) blobs found, \(manifest.blobCount) expected")
        }
        for blob in blobs where try BlobFiles.sha256(of: blob) != blob.lastPathComponent {
            throw PorticoError.invalid(field: "backup", reason: "blob \(blob.lastPathComponent) does not match its checksum")
        }
        return manifest
    }

    /// Site `id`'s backups in `folder`, newest first (their names sort by time).
    public static func backups(of id: SiteID, in folder: URL) -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.filter { isBackup($0, of: id) }.sorted(by: >).map { folder.appendingPathComponent($0, isDirectory: true) }
    }

    /// `<id>-YYYYMMDD-HHMMSS.backup`, and not another site's whose id starts with this one.
    static func isBackup(_ name: String, of id: SiteID) -> Bool {
        let prefix = id.rawValue + "-"
        guard name.hasPrefix(prefix), name.hasSuffix(".backup") else { return false }
        let stamp = name.dropFirst(prefix.count).dropLast(".backup".count)
        return stamp.count == 15 && stamp.enumerated().allSatisfy { index, character in
            index == 8 ? character == "-" : character.isASCII && character.isNumber
        }
    }

    /// "20261123-081500" (UTC), as in backup and export file names.
    public static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }

    static var manifestEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var manifestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// Blob files on disk: `<blobs>/ab/abcdef…`.
enum BlobFiles {
    /// Every blob file (64 hexadecimal characters) under `folder`, sorted; none if it is absent.
    static func list(in folder: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [URL] = []
        for case let url as URL in enumerator {
            let name = url.lastPathComponent
            guard name.count == 64, name.allSatisfy(\.isHexDigit), url.deletingLastPathComponent().lastPathComponent == String(name.prefix(2)) else { continue }
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A hard link when possible (blobs never change, so sharing the inode is safe), else a copy.
    static func linkOrCopy(_ source: URL, to destination: URL) throws {
        do {
            try FileManager.default.linkItem(at: source, to: destination)
        } catch {
            try FileManager.default.copyItem(at: source, to: destination)
        }
    }
}
