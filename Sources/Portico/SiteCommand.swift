import ArgumentParser
import Foundation
import PorticoCore
import PorticoContent
import PorticoLifecycle
import PorticoStore
import PorticoWeb

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Create, list, change, back up, restore, export, import, bake, check and delete sites.",
        subcommands: [Create.self, List.self, Hostnames.self, Disable.self, Enable.self, Backup.self, Restore.self, Export.self, Import.self, ImportMbox.self, Bake.self, Check.self, Reindex.self, Search.self, FtsBaseline.self, Delete.self, Purge.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create new, empty sites.",
            discussion: "Several ids create several sites, each answering on <id>.localhost unless --hostname is given (one site only)."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "Site ids: lowercase letters, digits and hyphens.")
        var ids: [String]
        @Option(help: "The site's name, shown in its header (one site only).")
        var name: String?
        @Option(name: .customLong("hostname"), help: "A hostname the site answers on (repeat for several; one site only). Default: <id>.localhost")
        var hostnames: [String] = []
        @Option(name: .customLong("from"), help: "Copy this existing site (its content, settings and roles) instead of starting empty.")
        var template: String?

        func validate() throws {
            guard !ids.isEmpty else { throw ValidationError("give at least one site id") }
            guard ids.count == 1 || (name == nil && hostnames.isEmpty && template == nil) else {
                throw ValidationError("--name, --hostname and --from apply to one site at a time")
            }
        }

        func run() async throws {
            try await runReportingErrors {
                if let template {
                    try await copy(template)
                    return
                }
                let services = try await options.services()
                let started = Date()
                for (index, id) in ids.enumerated() {
                    let site = try await services.administration.createSite(id: id, name: name ?? id, hostnames: hostnames.isEmpty ? ["\(id).localhost"] : hostnames)
                    if ids.count == 1 {
                        printLine("created site \(site.id) answering on \(site.hostnames.joined(separator: ", "))")
                    } else if (index + 1) % 500 == 0 || index == ids.count - 1 {
                        FileHandle.standardError.write(Data("  created \(index + 1)/\(ids.count) sites\n".utf8))
                    }
                }
                if ids.count > 1 {
                    let elapsed = Date().timeIntervalSince(started)
                    printLine(String(format: "created %d sites in %.1f s (%.1f ms per site)", ids.count, elapsed, elapsed * 1000 / Double(ids.count)))
                }
            }
        }

        /// A new site as a copy of another: export to a temporary archive, import under the new id.
        private func copy(_ template: String) async throws {
            let store = try await options.sqliteStore(try options.configuration())
            let archive = FileManager.default.temporaryDirectory.appendingPathComponent("portico-copy-\(UUID().uuidString).zip")
            defer { try? FileManager.default.removeItem(at: archive) }
            let id = ids[0]
            try await Lifecycle.exportSite(try SiteID(template), store: store, to: archive, progress: ProgressPrinter.shared.report)
            let report = try await Lifecycle.importSite(from: archive, as: try SiteID(id), hostnames: hostnames.isEmpty ? ["\(id).localhost"] : hostnames,
                                                        store: store, progress: ProgressPrinter.shared.report)
            if let name {
                let services = try await options.services()
                _ = try await services.administration.updateSite(report.site.id) { $0.settings.name = name }
            }
            printLine("created site \(report.site.id) as a copy of \(template) (\(report.counts.items) items) answering on \(report.site.hostnames.joined(separator: ", "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the sites.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                for site in try await services.store.sites() {
                    printLine("\(site.id)\t\(site.status.rawValue)\t\(site.hostnames.joined(separator: ","))\t\(site.settings.name)")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a site (its data is moved to the data folder's trash).")
        @OptionGroup var options: DataOptions
        @Argument(help: "The id of the site to delete.")
        var id: String
        @Flag(help: "Confirm the deletion.")
        var yes = false

        func run() async throws {
            try await runReportingErrors {
                guard yes else { throw PorticoError.invalid(field: "--yes", reason: "is required to delete a site") }
                let services = try await options.services()
                try await services.administration.deleteSite(try SiteID(id))
                printLine("deleted site \(id) (its data is in the trash folder)")
            }
        }
    }
}
