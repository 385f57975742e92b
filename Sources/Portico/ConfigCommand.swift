import ArgumentParser
import Foundation
import PorticoCore
import PorticoOps

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Generate configuration for what runs in front of Portico.",
        subcommands: [Varnish.self]
    )

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
