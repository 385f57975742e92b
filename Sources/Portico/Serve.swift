import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve every site of the data folder over HTTP.",
        discussion: """
            On first run the data folder is created with a platform database, a demo site \
            (answering on demo.localhost) and an administrator account whose password is \
            printed once.
            """
    )

    @OptionGroup var options: DataOptions

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "The largest upload editors may make, in megabytes.")
    var uploadLimit: Int = 20

    @Option(help: "Memory for the response cache, in megabytes (0 turns the cache off).")
    var cacheSize: Int = 256

    @Option(help: "Renders allowed in flight at once; more anonymous requests queue briefly, then get the panic page.")
    var maxRenders: Int = 16

    @Option(help: "Of those render slots, how many only logged-in editors may use.")
    var editorReserve: Int = 4

    @Option(name: .customLong("purge"), help: "An external cache to purge on every write, e.g. http://127.0.0.1:6081/ (repeat for several).")
    var purgeTargets: [String] = []

    @Flag(help: "On first run, do not create the demo site.")
    var noDemo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (1...4096).contains(uploadLimit) else { throw ValidationError("--upload-limit must be between 1 and 4096 (megabytes)") }
        guard (0...65536).contains(cacheSize) else { throw ValidationError("--cache-size must be between 0 and 65536 (megabytes)") }
        guard (1...10_000).contains(maxRenders) else { throw ValidationError("--max-renders must be between 1 and 10000") }
        guard (0..<maxRenders).contains(editorReserve) else { throw ValidationError("--editor-reserve must be at least 0 and less than --max-renders") }
        for target in purgeTargets {
            guard let url = URL(string: target), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--purge \(target) must be an http:// address")
            }
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() async throws {
        try await runReportingErrors {
            let cache = CacheConfiguration(enabled: cacheSize > 0, capacityBytes: max(1, cacheSize) * 1024 * 1024, maximumRenders: maxRenders, editorReserve: editorReserve)
            let services = try await options.services(logLevel: Logger.Level(rawValue: logLevel) ?? .info, uploadLimit: uploadLimit * 1024 * 1024, cache: cache,
                                                      purgeTargets: purgeTargets.compactMap(URL.init(string:)))
            let noUsers = try await services.store.userCount() == 0
            let noSites = try await services.store.sites().isEmpty
            let firstRun = noUsers && noSites
            var generatedPassword: String?
            if firstRun {
                printLine("First run: setting up \(options.dataURL.path)")
                if !noDemo {
                    try await DemoSite.create(administration: services.administration, content: services.content)
                    printLine("  created the demo site (id \(DemoSite.id))")
                }
                let (_, password) = try await services.administration.createUser(username: "admin", displayName: "Administrator", isPlatformAdmin: true)
                generatedPassword = password
            }
            let adminPassword = generatedPassword
            let sites = try await services.store.sites()
            let host = self.host
            let app = PorticoApplication.application(services, host: host, port: port) { boundPort in
                // One write, so that whoever reads the output sees the whole banner at once.
                var banner = ["Portico is listening on http://\(host):\(boundPort)/"]
                for site in sites {
                    if let name = site.hostnames.first {
                        banner.append("  site \(site.id): http://\(name):\(boundPort)/  (or http://\(host):\(boundPort)/_site/\(site.id)/)")
                    }
                }
                if let adminPassword {
                    banner.append("Administrator account: admin")
                    banner.append("  password: \(adminPassword)")
                    banner.append("  (shown only this once; change it with `portico user passwd admin`)")
                }
                printLine(banner.joined(separator: "\n"))
            }
            // Expired sessions are removed hourly; they are already refused when used.
            let store = services.store
            let sweeper = Task {
                while !Task.isCancelled {
                    try? await store.deleteExpiredSessions(before: Date())
                    try? await Task.sleep(for: .seconds(3600))
                }
            }
            defer { sweeper.cancel() }
            try await app.runService()
        }
    }
}
