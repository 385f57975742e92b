import ArgumentParser
import Foundation
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore
import PorticoWeb
import Synchronization

// The site's life outside serving: maintenance, hostnames, backup, restore, check, purge.
// Running servers follow each change within half a second (the site change feed).

extension SiteCommand {
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a site in maintenance: it answers a maintenance page and nothing else.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                _ = try await services.administration.updateSite(try SiteID(id)) { $0.status = .disabled }
                printLine("site \(id) is in maintenance; `portico site enable \(id)` reopens it")
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen a site that was in maintenance.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                _ = try await services.administration.updateSite(try SiteID(id)) { $0.status = .active }
                printLine("site \(id) is open")
            }
        }
    }

    struct Hostnames: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the hostnames a site answers on (the first is its main address).")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String
        @Argument(help: "One or more hostnames.") var hostnames: [String]

        func run() async throws {
            try await runReportingErrors {
                guard !hostnames.isEmpty else { throw PorticoError.invalid(field: "hostnames", reason: "give at least one") }
                var normalized: [String] = []
                for name in hostnames {
                    guard let host = Hostname.normalize(name) else { throw PorticoError.invalid(field: "hostname \(name)", reason: "is not a valid hostname") }
                    normalized.append(host)
                }
                let services = try await options.services()
                let site = try await services.administration.updateSite(try SiteID(id)) { $0.hostnames = normalized }
                printLine("site \(id) answers on \(site.hostnames.joined(separator: ", "))")
            }
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up a site while it serves (a consistent snapshot of its database, plus its blobs).",
            discussion: "Writes <folder>/<site>-<UTC time>.backup/. The default folder is backup.folder from the configuration."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String
        @Option(help: "The folder to write the backup in (default: backup.folder).") var to: String?

        func run() async throws {
            try await runReportingErrors {
                let configuration = try options.configuration()
                guard let folder = to ?? configuration.backupFolder else {
                    throw PorticoError.invalid(field: "--to", reason: "is required when no backup.folder is configured")
                }
                let store = try await options.sqliteStore(configuration)
                let started = Date()
                let backup = try await SiteBackup.backup(try SiteID(id), store: store, into: URL(fileURLWithPath: folder, isDirectory: true), progress: ProgressPrinter.shared.report)
                let manifest = try SiteBackup.verify(backup)
                printLine(String(format: "backed up site %@ to %@ (%d blobs, %.1f MB) in %.1f s", id, backup.path, manifest.blobCount,
                                 Double(manifest.blobBytes) / 1_048_576, Date().timeIntervalSince(started)))
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a site from a backup.",
            discussion: """
                The backup is verified first. An existing site is replaced only with --replace: it shows \
                its maintenance page for a moment, then serves the restored content; what it had goes to the trash.
                """
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The backup folder (…/<site>-<time>.backup).") var backup: String
        @Option(help: "The site you mean to restore; a backup of another site is refused.") var site: String?
        @Flag(help: "Replace the site if it exists.") var replace = false

        func run() async throws {
            try await runReportingErrors {
                let store = try await options.sqliteStore(try options.configuration())
                let options = SiteRestore.Options(replace: replace, expectedSite: try site.map { try SiteID($0) })
                let restored = try await SiteRestore.restore(from: URL(fileURLWithPath: backup, isDirectory: true), store: store, options: options,
                                                             progress: ProgressPrinter.shared.report)
                printLine("restored site \(restored.id) from \(backup)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a site's data: database integrity and every blob's checksum.",
            discussion: "Exits with status 1 if a problem is found."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id (or --all).") var id: String?
        @Flag(help: "Check every site.") var all = false

        func run() async throws {
            try await runReportingErrors {
                let store = try await options.sqliteStore(try options.configuration())
                let ids = all ? try await store.sites().map(\.id) : [try SiteID(id ?? "")]
                var unhealthy = 0
                for site in ids {
                    let report = try await SiteCheck.check(site, store: store, progress: ProgressPrinter.shared.report)
                    if report.isHealthy {
                        printLine(String(format: "OK   %@: %d items, %d revisions, %d blobs verified (%.1f MB)", site.rawValue, report.items,
                                         report.revisions, report.blobs, Double(report.blobBytes) / 1_048_576))
                    } else {
                        unhealthy += 1
                        printLine("FAIL \(site): \(report.problems.count) problems")
                        for problem in report.problems { printLine("     \(problem)") }
                    }
                }
                if unhealthy > 0 { throw ExitCode.failure }
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove deleted and replaced sites from the trash for good.")
        @OptionGroup var options: DataOptions
        @Argument(help: "Only the trash of this site id (default: everything).") var id: String?
        @Flag(help: "Confirm.") var yes = false

        func run() async throws {
            try await runReportingErrors {
                let store = try await options.sqliteStore(try options.configuration())
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: store.trashFolder.path)) ?? []
                let chosen = entries.filter { entry in id.map { entry.hasPrefix($0 + "-") } ?? true }.sorted()
                guard yes else {
                    for entry in chosen { printLine("would remove trash/\(entry)") }
                    printLine("\(chosen.count) entries; add --yes to remove them")
                    return
                }
                for entry in chosen { try FileManager.default.removeItem(at: store.trashFolder.appendingPathComponent(entry)) }
                printLine("removed \(chosen.count) entries from the trash")
            }
        }
    }
}

extension SiteCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a site to a portable archive (docs/archive-format.md).",
            discussion: "The archive holds the site's settings, every item and revision, redirects, roles (by username) and blobs, with a manifest of checksums."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String
        @Argument(help: "The archive file to write (.zip); an existing file is never overwritten.") var archive: String

        func run() async throws {
            try await runReportingErrors {
                let store = try await options.sqliteStore(try options.configuration())
                let report = try await Lifecycle.exportSite(try SiteID(id), store: store, to: URL(fileURLWithPath: archive), progress: ProgressPrinter.shared.report)
                printLine(String(format: "exported site %@ to %@: %d items, %d revisions, %d blobs (%.1f MB)", id, archive, report.counts.items,
                                 report.counts.revisions, report.counts.blobs, Double(report.size) / 1_048_576))
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a site archive under a new id and hostnames (into this data folder or another node's).",
            discussion: "All or nothing: a damaged, foreign or hostile archive is refused with the reason and leaves nothing behind."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The archive file.") var archive: String
        @Option(name: .customLong("as"), help: "The new site's id.") var id: String
        @Option(name: .customLong("hostname"), help: "A hostname for the new site (repeat for several). Default: <id>.localhost") var hostnames: [String] = []

        func run() async throws {
            try await runReportingErrors {
                let store = try await options.sqliteStore(try options.configuration())
                let report = try await Lifecycle.importSite(from: URL(fileURLWithPath: archive), as: try SiteID(id),
                                                            hostnames: hostnames.isEmpty ? ["\(id).localhost"] : hostnames, store: store,
                                                            progress: ProgressPrinter.shared.report)
                printLine("imported site \(report.site.id) (from \(report.sourceSiteID)) answering on \(report.site.hostnames.joined(separator: ", ")): \(report.counts.items) items, \(report.counts.blobs) blobs")
                for skipped in report.skippedGrants {
                    printLine("  skipped role \(skipped.grant.role.rawValue) of \(skipped.grant.username): \(skipped.reason.rawValue)")
                }
            }
        }
    }
}

extension SiteCommand {
    struct Bake: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a site's published pages, images, files and stylesheet into a static folder nginx can serve as is.",
            discussion: "Links are rewritten to relative ones; the bake replaces the folder's previous bake atomically (docs/bake.md)."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String
        @Argument(help: "The folder to bake into (missing, empty, or a previous bake).") var folder: String
        @Option(help: "The public address the bake will be served at, for the sitemap and feed (default http://<first hostname>/).") var baseURL: String?

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                var base: URL?
                if let baseURL {
                    guard let url = URL(string: baseURL), url.scheme == "http" || url.scheme == "https" else {
                        throw PorticoError.invalid(field: "--base-url", reason: "must be an http:// or https:// address")
                    }
                    base = url
                }
                let report = try await SiteBaker(services: services, baseURL: base).bake(site: try SiteID(id), into: URL(fileURLWithPath: folder, isDirectory: true)) { progress in
                    ProgressPrinter.shared.report(LifecycleProgress(phase: progress.phase.rawValue, done: progress.done, total: progress.total))
                }
                printLine(String(format: "baked site %@ into %@: %d pages, %d files, %.1f MB", id, folder, report.pages, report.files, Double(report.bytes) / 1_048_576))
                for path in report.omitted { printLine("  not baked (private or not public): \(path)") }
                for link in report.brokenLinks { printLine("  broken link: \(link)") }
                if !report.brokenLinks.isEmpty { throw ExitCode.failure }
            }
        }
    }
}

extension DataOptions {
    /// The embedded store itself, for operations on a site's files.
    func sqliteStore(_ configuration: PorticoConfiguration) async throws -> SQLiteContentStore {
        try SQLiteContentStore(dataFolder: URL(fileURLWithPath: configuration.dataFolder, isDirectory: true).standardizedFileURL,
                               maximumOpenSites: configuration.maxOpenSites, readersPerSite: configuration.readersPerSite)
    }
}

/// Prints progress of long operations on standard error, at most twice a second.
final class ProgressPrinter: Sendable {
    static let shared = ProgressPrinter()
    private let last = Mutex<(phase: String, at: Date)>(("", .distantPast))

    func report(_ progress: LifecycleProgress) {
        let now = Date()
        let due = last.withLock { state -> Bool in
            let finished = progress.done == progress.total
            guard finished || state.phase != progress.phase || now.timeIntervalSince(state.at) >= 0.5 else { return false }
            state = (progress.phase, now)
            return true
        }
        guard due else { return }
        let percent = progress.total > 0 ? progress.done * 100 / progress.total : 100
        FileHandle.standardError.write(Data("  \(progress.phase): \(progress.done)/\(progress.total) (\(percent)%)\n".utf8))
    }
}
