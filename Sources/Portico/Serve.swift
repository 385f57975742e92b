import ArgumentParser
import Foundation
import Logging
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import ServiceLifecycle
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve every site of the data folder over HTTP.",
        discussion: """
            On first run the data folder is created with a platform database, a demo site \
            (answering on demo.localhost) and an administrator account whose password is \
            printed once.

            The socket is opened only once the store is ready. SIGTERM (or Ctrl-C) stops \
            accepting connections, lets requests in flight finish (up to --drain-timeout) and \
            exits. With --workers N a small supervisor runs N worker processes on one shared \
            socket, restarts any that crash, grow past --worker-memory-limit or fail their \
            health check, and on SIGHUP replaces them one at a time without dropping requests.
            """
    )

    @OptionGroup var options: DataOptions

    // Each flag overrides the configuration key named in its help (see docs/configuration.md).
    @Option(help: "The address to listen on (server.host; default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on, 0 picks a free one (server.port; default 8080).")
    var port: Int?

    @Option(help: "The largest upload editors may make, in megabytes (uploads.limit; default 20).")
    var uploadLimit: Int?

    @Option(help: "Memory for the response cache in megabytes, 0 turns it off (cache.size; default 256).")
    var cacheSize: Int?

    @Option(help: "Memory for public pages' first reads in megabytes, reused until their site changes; 0 turns it off (cache.page_data_size; default 32).")
    var pageDataSize: Int?

    @Option(help: "Renders allowed in flight at once (cache.max_renders; default 16).")
    var maxRenders: Int?

    @Option(help: "Of those render slots, how many only logged-in editors may use (cache.editor_reserve; default 4).")
    var editorReserve: Int?

    @Option(name: .customLong("purge"), help: "An external cache to purge on every write, e.g. http://127.0.0.1:6081/ (cache.purge; repeat for several).")
    var purgeTargets: [String] = []

    @Flag(help: "On first run, do not create the demo site (storage.create_demo = false).")
    var noDemo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (log.level; default info).")
    var logLevel: String?

    @Option(help: "Seconds to let requests in flight finish on shutdown (server.drain_timeout; default 30).")
    var drainTimeout: Int?

    @Option(help: "Run a supervisor with this many worker processes sharing the port; 0 runs one process (server.workers; default 0).")
    var workers: Int?

    @Option(help: "With workers: replace a worker whose resident memory exceeds this many megabytes, 0 for no limit (server.worker_memory_limit).")
    var workerMemoryLimit: Int?

    @Option(help: "With workers: seconds between health checks of each worker (server.health_interval; default 5).")
    var healthInterval: Int?

    // Set by the supervisor for its workers.
    @Option(help: .hidden) var listenFD: Int32?
    @Option(help: .hidden) var controlSocket: String?
    @Option(help: .hidden) var clusterBus: String?
    @Option(help: .hidden) var workerID: Int?

    /// The configuration with this command's flags applied and checked.
    func effectiveConfiguration() throws -> PorticoConfiguration {
        var configuration = try options.configuration()
        var issues: [ConfigurationIssue] = []
        func flag(_ name: String, _ value: Int?, _ key: String, _ assign: (Int) -> Void) {
            guard let value else { return }
            if let problem = ConfigurationSchema.entry(key)?.problem(with: String(value)) {
                issues.append(ConfigurationIssue(source: "--\(name)", line: nil, key: "", reason: problem))
            } else {
                assign(value)
            }
        }
        flag("port", port, "server.port") { configuration.port = $0 }
        flag("upload-limit", uploadLimit, "uploads.limit") { configuration.uploadLimit = $0 }
        flag("cache-size", cacheSize, "cache.size") { configuration.cacheSize = $0 }
        flag("page-data-size", pageDataSize, "cache.page_data_size") { configuration.pageDataSize = $0 }
        flag("max-renders", maxRenders, "cache.max_renders") { configuration.maxRenders = $0 }
        flag("editor-reserve", editorReserve, "cache.editor_reserve") { configuration.editorReserve = $0 }
        flag("drain-timeout", drainTimeout, "server.drain_timeout") { configuration.drainTimeout = $0 }
        flag("workers", workers, "server.workers") { configuration.workers = $0 }
        flag("worker-memory-limit", workerMemoryLimit, "server.worker_memory_limit") { configuration.workerMemoryLimit = $0 }
        flag("health-interval", healthInterval, "server.health_interval") { configuration.healthInterval = $0 }
        if let host { configuration.host = host }
        if !purgeTargets.isEmpty { configuration.purge = purgeTargets }
        if noDemo { configuration.createDemo = false }
        if let logLevel {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = logLevel
        }
        ConfigurationSchema.checkConsistency(configuration, issues: &issues)
        guard issues.isEmpty else { throw ConfigurationFailure(errors: ConfigurationErrors(issues: issues)) }
        return configuration
    }

    func run() async throws {
        try await runReportingErrors {
            let configuration = try effectiveConfiguration()
            if configuration.workers > 0 && listenFD == nil {
                try await superviseWorkers(configuration)
            } else {
                try await serve(configuration)
            }
        }
    }

    /// `--workers N`: bind the socket (without listening), then hand it to the supervisor.
    private func superviseWorkers(_ configuration: PorticoConfiguration) async throws {
        let socket = try ListeningSocket.bind(host: configuration.host, port: configuration.port)
        let supervisor = Supervisor(
            socket: socket, host: configuration.host, workerCount: configuration.workers,
            workerArguments: Supervisor.workerArguments(from: CommandLine.arguments),
            runFolder: URL(fileURLWithPath: configuration.dataFolder, isDirectory: true).appendingPathComponent("run", isDirectory: true),
            memoryLimit: configuration.workerMemoryLimit > 0 ? configuration.workerMemoryLimit * 1024 * 1024 : nil,
            healthInterval: .seconds(configuration.healthInterval), drainTimeout: .seconds(configuration.drainTimeout)
        )
        try await supervisor.run()
    }

    /// One process serving HTTP: alone, or as a supervisor's worker.
    private func serve(_ configuration: PorticoConfiguration) async throws {
        let bus: (any ClusterBus)? = try clusterBus.map { try SharedMemoryBus(path: $0) }
        if configuration.behindTLS { setenv("PORTICO_SECURE_COOKIES", "1", 1) }
        // SIGHUP means "rolling restart" to a supervisor; a lone server or a worker ignores it
        // rather than dying without draining.
        signal(SIGHUP, SIG_IGN)
        let accessLog = try AccessLog(destination: .init(setting: configuration.accessLog))
        let services = try await options.services(configuration, logLevel: Logger.Level(rawValue: configuration.logLevel) ?? .info, clusterBus: bus,
                                                  accessLog: accessLog)
        let noUsers = try await services.store.userCount() == 0
        let noSites = try await services.store.sites().isEmpty
        var banner: [String] = []
        if noUsers && noSites {
            banner.append("First run: setting up \(configuration.dataFolder)")
            if configuration.createDemo {
                try await DemoSite.create(administration: services.administration, content: services.content)
                banner.append("  created the demo site (id \(DemoSite.id))")
            }
            let (_, password) = try await services.administration.createUser(username: "admin", displayName: "Administrator", isPlatformAdmin: true)
            banner.append("Administrator account: admin")
            banner.append("  password: \(password ?? "(not generated)")")
            banner.append("  (shown only this once; change it with `portico user passwd admin`)")
        }
        // The socket opens only now: migrations ran and the store answered.
        let socket: ListeningSocket
        if let listenFD {
            socket = ListeningSocket(inherited: listenFD)
            guard socket.isSocket else { throw ValidationError("--listen-fd \(listenFD) is not a socket") }
        } else {
            socket = try ListeningSocket.bind(host: configuration.host, port: configuration.port)
        }
        let sites = try await services.store.sites()
        let host = configuration.host
        let workerID = self.workerID
        let finalBanner = banner
        let server = PorticoApplication.server(services, socket: socket, controlSocketPath: controlSocket, drainTimeout: .seconds(configuration.drainTimeout)) {
            // One write, so that whoever reads the output sees the whole banner at once.
            var lines = finalBanner
            if let workerID {
                lines.append("worker \(workerID) ready (pid \(ProcessInfo.processInfo.processIdentifier))")
            } else {
                let boundPort = socket.port
                lines.append("Portico is listening on http://\(host):\(boundPort)/")
                for site in sites {
                    if let name = site.hostnames.first {
                        lines.append("  site \(site.id): http://\(name):\(boundPort)/  (or http://\(host):\(boundPort)/_site/\(site.id)/)")
                    }
                }
            }
            printLine(lines.joined(separator: "\n"))
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
        let group = ServiceGroup(configuration: .init(
            // Services stop in reverse order: the server first, then the switchboard's refresh
            // loop, then the access log (flushed and closed last).
            services: [.init(service: accessLog), .init(service: services.switchboard), .init(service: services.siteWatcher), .init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: services.logger
        ))
        // A worker whose supervisor is gone (killed) drains and exits rather than lingering.
        let parent = getppid()
        let orphanWatch = Task {
            guard workerID != nil else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if getppid() != parent {
                    services.logger.warning("the supervisor is gone; draining and exiting")
                    await group.triggerGracefulShutdown()
                    return
                }
            }
        }
        defer { orphanWatch.cancel() }
        try await group.run()
    }
}
