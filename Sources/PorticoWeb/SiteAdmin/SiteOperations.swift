import Foundation
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore

/// The site lifecycle as the platform admin UI runs it: the same library calls as the
/// `portico site …` commands, plus what a running node owes its visitors afterwards (an
/// imported site is announced on the event bus, so this node and its cluster serve it at once).
/// Who may call these is the controller's business: platform administrators only.
struct SiteOperations: Sendable {
    let services: PorticoServices

    /// The embedded store, whose files the lifecycle works on.
    var store: SQLiteContentStore {
        get throws {
            guard let store = services.store as? SQLiteContentStore else {
                throw PorticoError.storage("site lifecycle operations need the embedded SQLite store")
            }
            return store
        }
    }

    /// Largest archive accepted from a browser: ten uploads' worth (uploads are media files,
    /// an archive holds a site's worth of them).
    var archiveUploadLimit: Int { min(services.uploadLimit, Int.max / 10) * 10 }

    /// A new site as a copy of `source`: exported to a temporary archive and imported under
    /// `id`, all or nothing like any import. `name`, when given, replaces the copied name.
    func copy(_ source: SiteID, as id: SiteID, hostnames: [String], name: String?, by principal: Principal) async throws -> ImportReport {
        let store = try store
        // Refusals that need no archive come before the export, which may take a while.
        guard try await store.site(source) != nil else { throw PorticoError.notFound("site \(source)") }
        if try await store.site(id) != nil { throw PorticoError.alreadyExists("site \(id)") }
        for host in hostnames.compactMap(Hostname.normalize) {
            if let owner = try await store.site(forHostname: host) { throw PorticoError.alreadyExists("hostname \(host) (used by site \(owner.id))") }
        }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let archive = scratch.url.appendingPathComponent("\(source.rawValue).zip")
        try await Lifecycle.exportSite(source, store: store, to: archive)
        var report = try await importArchive(archive, as: id, hostnames: hostnames)
        if let name {
            report.site = try await services.administration.updateSite(id, by: principal) { $0.settings.name = name }
        }
        return report
    }

    /// Imports the archive at `url` as site `id`; nothing of it exists when this throws.
    func importArchive(_ url: URL, as id: SiteID, hostnames: [String]) async throws -> ImportReport {
        let report = try await Lifecycle.importSite(from: url, as: id, hostnames: hostnames, store: try store)
        // The import registers the site in the store only; the directory, caches and other
        // workers learn of it from the event, as for a site created from scratch.
        await services.events.publish(.siteCreated(report.site))
        return report
    }

    /// Exports site `id` into a new scratch folder, which the caller removes.
    func export(_ id: SiteID, at date: Date) async throws -> (archive: URL, filename: String, scratch: ScratchFolder) {
        let scratch = try ScratchFolder()
        do {
            let filename = "\(id.rawValue)-\(SiteBackup.stamp(date)).zip"
            let archive = scratch.url.appendingPathComponent(filename)
            try await Lifecycle.exportSite(id, store: try store, to: archive)
            return (archive, filename, scratch)
        } catch {
            scratch.remove()
            throw error
        }
    }

    /// Backs site `id` up into the configured backup folder and verifies what was written.
    func backup(_ id: SiteID) async throws -> (folder: URL, manifest: BackupManifest) {
        guard let folder = services.backupFolder else {
            throw PorticoError.invalid(field: "the backup folder", reason: "is not configured (backup.folder), so there is nowhere to write backups")
        }
        let backup = try await SiteBackup.backup(id, store: try store, into: folder, now: services.clock.now())
        return (backup, try SiteBackup.verify(backup))
    }

    func check(_ id: SiteID) async throws -> SiteCheckReport {
        try await SiteCheck.check(id, store: try store)
    }

    /// Site `id`'s backups in the backup folder, newest first.
    func backups(of id: SiteID) -> [URL] {
        guard let folder = services.backupFolder else { return [] }
        return SiteBackup.backups(of: id, in: folder)
    }
}
