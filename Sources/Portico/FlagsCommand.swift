import ArgumentParser
import Foundation
import PorticoCore
import PorticoStore
import PorticoWeb

/// `portico flags`: feature switches, for operators. The switches live in the platform
/// database, so a change here reaches every running worker within about a second.
struct FlagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags",
        abstract: "Switch features off and on at runtime, without a restart (\(FeatureFlag.names)).",
        subcommands: [List.self, Switch.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every feature switch: on or off, who changed it last, and what it does.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let flags = try await services.store.featureFlags()
                let width = FeatureFlag.allCases.map(\.name.count).max() ?? 0
                for flag in FeatureFlag.allCases {
                    let name = flag.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    let state = flags.isOn(flag) ? "on " : "off"
                    let changed = flags.changes[flag].map { "changed \(FlagsCommand.timestamp($0.at)) by \($0.by)" } ?? "never changed"
                    printLine("\(name)  \(state)  \(flag.description) (\(changed))")
                }
            }
        }
    }

    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Switch a feature on or off for every running Portico process.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The feature: \(FeatureFlag.names).")
        var name: String
        @Argument(help: "on or off.")
        var value: String

        func run() async throws {
            try await runReportingErrors {
                // Checked before the data folder is opened, so a typo changes nothing.
                guard let flag = FeatureFlag(name: name) else {
                    throw PorticoError.invalid(field: "feature “\(name)”", reason: "is unknown; known features: \(FeatureFlag.names)")
                }
                let enabled: Bool
                switch value.lowercased() {
                case "on": enabled = true
                case "off": enabled = false
                default: throw PorticoError.invalid(field: "value “\(value)”", reason: "must be on or off")
                }
                let services = try await options.services()
                let before = services.switchboard.isOn(flag)
                try await services.switchboard.set(flag, enabled: enabled, by: .system, actor: FlagsCommand.actor)
                let state = enabled ? "on" : "off"
                let note = before == enabled ? " (it already was)" : "; running servers follow within about a second"
                printLine("\(flag.name) is now \(state)\(note)")
            }
        }
    }

    /// Who is recorded as having changed a flag from the command line.
    static var actor: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"]
        return user.map { "command line (\($0))" } ?? "command line"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
