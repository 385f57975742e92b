import ArgumentParser
import Foundation
import PorticoCore
import PorticoContent
import PorticoWeb

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage platform user accounts.",
        subcommands: [Add.self, Passwd.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; a strong password is generated unless --password-stdin is given.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The username: 3-64 of lowercase letters, digits and . _ - @")
        var username: String
        @Option(help: "The name shown for this user.")
        var name: String?
        @Flag(help: "Make the user a platform administrator.")
        var admin = false
        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func run() async throws {
            try await runReportingErrors {
                let password = passwordStdin ? try readPassword() : nil
                let services = try await options.services()
                let (user, generated) = try await services.administration.createUser(username: username, displayName: name, password: password, isPlatformAdmin: admin)
                printLine("created user \(user.username)\(admin ? " (platform administrator)" : "")")
                if let generated { printLine("password: \(generated)") }
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reset a user's password; a strong one is generated unless --password-stdin is given.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The username.")
        var username: String
        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func run() async throws {
            try await runReportingErrors {
                let password = passwordStdin ? try readPassword() : nil
                let services = try await options.services()
                let generated = try await services.administration.setPassword(username: username, password: password)
                printLine("password changed for \(username)")
                if let generated { printLine("password: \(generated)") }
            }
        }
    }
}

func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw PorticoError.invalid(field: "password", reason: "was not given on standard input")
    }
    return line
}
