import Crypto
public import Foundation
public import PorticoCore
public import PorticoStore

/// What an export wrote.
public struct ExportReport: Sendable, Equatable {
    public var site: SiteID
    public var archive: URL
    public var counts: ArchiveCounts
    /// The archive's size in bytes.
    public var size: UInt64
}

extension Lifecycle {
    /// Writes site `id` to a new archive at `archiveURL` (format: docs/archive-format.md).
    ///
    /// The site keeps serving: its content is read in one read transaction, so the archive is
    /// a consistent snapshot even while editors save. The archive is written to a temporary
    /// file beside `archiveURL` and renamed into place when complete, so an interrupted export
    /// never leaves a file that looks like an archive. Refuses to overwrite an existing file.
    @discardableResult
    public static func exportSite(
        _ id: SiteID, store: any SiteArchiveStore, to archiveURL: URL, progress: @Sendable (LifecycleProgress) -> Void = { _ in }
    ) async throws -> ExportReport {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: archiveURL.path) else { throw PorticoError.alreadyExists("the file \(archiveURL.path)") }
        progress(LifecycleProgress(phase: "reading", done: 0, total: 1))
        let records = try await store.records(of: id)
        let blobs = try await store.content(of: id).blobs
        progress(LifecycleProgress(phase: "reading", done: 1, total: 1))

        let temporary = archiveURL.deletingLastPathComponent()
            .appendingPathComponent(".\(archiveURL.lastPathComponent).\(UUID().uuidString.prefix(8).lowercased()).partial")
        do {
            let created = Date().roundedToMilliseconds
            let writer = try SiteArchiveWriter(creating: temporary, date: created)
            let users = records.usernames.map { ArchiveUser(id: $0.key, username: $0.value) }.sorted { ($0.username, $0.id.rawValue) < ($1.username, $1.id.rawValue) }
            let documents = ArchiveFormat.documents.count
            progress(LifecycleProgress(phase: "writing", done: 0, total: documents))
            try writer.add(ArchiveFormat.site, json: records.site)
            try writer.add(ArchiveFormat.items, json: records.items)
            try writer.add(ArchiveFormat.revisions, json: records.revisions)
            try writer.add(ArchiveFormat.redirects, json: records.redirects)
            try writer.add(ArchiveFormat.grants, json: records.grants)
            try writer.add(ArchiveFormat.users, json: users)
            progress(LifecycleProgress(phase: "writing", done: documents, total: documents))

            let digests = records.referencedBlobs.sorted()
            progress(LifecycleProgress(phase: "blobs", done: 0, total: digests.count))
            for (index, digest) in digests.enumerated() {
                if let file = blobs.localFile(digest) {
                    try writer.addBlob(digest, file: file)
                } else {
                    try writer.add(ArchiveFormat.blobPath(digest), data: try await blobData(digest, of: id, from: blobs), compressed: false)
                }
                progress(LifecycleProgress(phase: "blobs", done: index + 1, total: digests.count))
            }

            let counts = ArchiveCounts(
                items: records.items.count, revisions: records.revisions.count, redirects: records.redirects.count,
                grants: records.grants.count, users: users.count, blobs: digests.count
            )
            let manifest = ArchiveManifest(
                format: ArchiveFormat.name, formatVersion: ArchiveFormat.version, porticoVersion: PorticoVersion.string, created: created,
                site: .init(id: records.site.id.rawValue, name: records.site.settings.name, hostnames: records.site.hostnames),
                counts: counts, entries: writer.entries.sorted { $0.path < $1.path }
            )
            try writer.add(ArchiveFormat.manifest, json: manifest)
            writer.close()
            try FileSync.file(temporary)
            do {
                try fm.moveItem(at: temporary, to: archiveURL)
            } catch {
                if fm.fileExists(atPath: archiveURL.path) { throw PorticoError.alreadyExists("the file \(archiveURL.path)") }
                throw PorticoError.storage("cannot move the archive into place at \(archiveURL.path): \(error.localizedDescription)")
            }
            FileSync.folder(archiveURL.deletingLastPathComponent())
            let size = (try? fm.attributesOfItem(atPath: archiveURL.path)[.size] as? NSNumber)?.uint64Value ?? 0
            return ExportReport(site: id, archive: archiveURL, counts: counts, size: size)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
    }

    /// A blob from a store that keeps no local files, checked against its name.
    private static func blobData(_ digest: String, of site: SiteID, from blobs: any BlobStore) async throws -> Data {
        let data: Data
        do {
            data = try await blobs.data(digest)
        } catch PorticoError.notFound {
            throw PorticoError.storage("blob \(digest), used by site \(site), is missing from its blob store")
        }
        let actual = SiteArchiveReader.hex(SHA256.hash(data: data))
        guard actual == digest else { throw PorticoError.storage("blob \(digest) is damaged: its content hashes to \(actual)") }
        return data
    }
}
