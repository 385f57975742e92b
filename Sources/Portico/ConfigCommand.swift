import ArgumentParser
import Foundation
import PorticoCore
import PorticoOps

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check configuration files, print the defaults, or generate configuration for what runs in front of Portico.",
        subcommands: [Check.self, Defaults.self, Varnish.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file (and what it extends) with the PORTICO_* environment applied.",
            discussion: "Prints every problem as file:line: key: reason and exits with status 1 if there is any."
        )

        @Argument(help: "The configuration file.")
        var file: String

        @Flag(help: "Ignore PORTICO_* environment variables.")
        var noEnvironment = false

        func run() async throws {
            let environment = noEnvironment ? [:] : ProcessInfo.processInfo.environment
            do {
                let configuration = try ConfigurationLoader.forFiles.load(path: file, environment: environment)
                printLine("OK: \(file) (data \(configuration.dataFolder), listening on \(configuration.host):\(configuration.port), \(configuration.workers) workers)")
            } catch {
                for issue in error.issues {
                    FileHandle.standardError.write(Data("\(issue)\n".utf8))
                }
                throw ExitCode.failure
            }
        }
    }

    struct Defaults: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a configuration file with every key at its default, each explained."
        )

        func run() async throws {
            printLine(ConfigurationSchema.defaultsFile())
        }
    }

    struct Varnish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a VCL for Varnish 7 that caches Portico's public pages until Portico purges them.",
            discussion: "Start Portico with --purge http://<varnish-address>/ so that every write purges what it changed."
        )

        @Option(name: .customLong("backend"), help: "A Portico node as host:port (repeat for several). Default: 127.0.0.1:8080")
        var backends: [String] = []

        @Option(name: .customLong("purger"), help: "An address allowed to send PURGE (repeat). Default: 127.0.0.1 and ::1")
        var purgers: [String] = []

        @Option(help: "Seconds Varnish keeps a page when no purge comes.")
        var ttl: Int = 3600

        func run() async throws {
            try await runReportingErrors {
                var parsed: [(host: String, port: Int)] = []
                for backend in backends.isEmpty ? ["127.0.0.1:8080"] : backends {
                    guard let colon = backend.lastIndex(of: ":"), let port = Int(backend[backend.index(after: colon)...]) else {
                        throw PorticoError.invalid(field: "--backend \(backend)", reason: "must be host:port")
                    }
                    parsed.append((String(backend[..<colon]), port))
                }
                let configuration = VarnishConfiguration(backends: parsed, purgers: purgers.isEmpty ? ["127.0.0.1", "::1"] : purgers, ttlSeconds: ttl)
                if let problem = configuration.problems().first {
                    throw PorticoError.invalid(field: "varnish configuration", reason: problem)
                }
                printLine(configuration.vcl())
            }
        }
    }
}
