import ArgumentParser
import Foundation
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb

struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role",
        abstract: "Give users roles in a site (on the whole site, or on a folder and everything below it).",
        subcommands: [Grant.self, Revoke.self, List.self]
    )

    struct Target: ParsableArguments {
        @Argument(help: "The site id.")
        var site: String
        @Argument(help: "The username.")
        var username: String
        @Argument(help: "The role: manager, editor, contributor, reviewer or member.")
        var role: String
        @Option(help: "The folder the role applies to (default: the whole site).")
        var path: String = "/"

        func resolve(_ services: PorticoServices) async throws -> (SiteID, User, Role, Item) {
            let siteID = try SiteID(site)
            guard let role = Role(rawValue: role.lowercased()) else {
                throw PorticoError.invalid(field: "role “\(self.role)”", reason: "is not one of manager, editor, contributor, reviewer, member")
            }
            guard let user = try await services.store.user(username: username) else { throw PorticoError.notFound("user \(username)") }
            let content = try await services.store.content(of: siteID)
            let itemPath = ContentPath.path(of: try ContentPath.segments(of: path))
            guard let item = try await content.item(path: itemPath) else { throw PorticoError.notFound("item \(itemPath) in site \(siteID)") }
            return (siteID, user, role, item)
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a user a role.")
        @OptionGroup var options: DataOptions
        @OptionGroup var target: Target

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let (site, user, role, item) = try await target.resolve(services)
                try await services.content.grant(role, to: user.id, on: item.id, in: site, by: .system)
                printLine("\(user.username) is now \(role.displayName) of \(site)\(item.isRoot ? "" : " at \(item.path)")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a role back.")
        @OptionGroup var options: DataOptions
        @OptionGroup var target: Target

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let (site, user, role, item) = try await target.resolve(services)
                try await services.content.revoke(role, from: user.id, on: item.id, in: site, by: .system)
                printLine("\(user.username) is no longer \(role.displayName) of \(site)\(item.isRoot ? "" : " at \(item.path)")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List who has which role in a site.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.")
        var site: String

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let siteID = try SiteID(site)
                guard try await services.store.site(siteID) != nil else { throw PorticoError.notFound("site \(siteID)") }
                let content = try await services.store.content(of: siteID)
                let names = Dictionary(try await services.store.users().map { ($0.id, $0.username) }, uniquingKeysWith: { a, _ in a })
                for grant in try await services.store.grants(site: siteID) {
                    let path = try await content.item(id: grant.item)?.path ?? "(deleted item)"
                    printLine("\(names[grant.user] ?? grant.user.rawValue)\t\(grant.role.rawValue)\t\(path)")
                }
            }
        }
    }
}
