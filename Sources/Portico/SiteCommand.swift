import ArgumentParser
import Foundation
import PorticoCore
import PorticoContent
import PorticoStore
import PorticoWeb

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Create, list and delete sites.",
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new, empty site.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id: lowercase letters, digits and hyphens.")
        var id: String
        @Option(help: "The site's name, shown in its header.")
        var name: String?
        @Option(name: .customLong("hostname"), help: "A hostname the site answers on (repeat for several). Default: <id>.localhost")
        var hostnames: [String] = []

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let site = try await services.administration.createSite(id: id, name: name ?? id, hostnames: hostnames.isEmpty ? ["\(id).localhost"] : hostnames)
                printLine("created site \(site.id) answering on \(site.hostnames.joined(separator: ", "))")
            }
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
