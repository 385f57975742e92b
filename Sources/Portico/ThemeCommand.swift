import ArgumentParser
import Foundation
import PorticoWeb

struct ThemeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theme",
        abstract: "Work with the platform theme.",
        subcommands: [Export.self, Check.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the built-in theme's files to a folder, as a starting point for your own theme.")
        @Argument(help: "The folder to write to.")
        var folder: String

        func run() async throws {
            try await runReportingErrors {
                try Theme.exportDefault(to: URL(fileURLWithPath: folder, isDirectory: true))
                printLine("wrote the built-in theme to \(folder); serve with --theme \(folder)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that a theme folder's templates parse.")
        @Argument(help: "The theme folder.")
        var folder: String

        func run() async throws {
            try await runReportingErrors {
                _ = try Theme(folder: URL(fileURLWithPath: folder, isDirectory: true))
                printLine("theme \(folder) is OK")
            }
        }
    }
}
