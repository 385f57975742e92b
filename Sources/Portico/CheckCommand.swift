import ArgumentParser
import Foundation
import PorticoCore
import PorticoStore
#if canImport(Glibc)
import Glibc
#endif

/// `portico check`: a production-readiness checklist for the configuration a node would run
/// with. Each line is OK, WARN or FAIL with what to do; the exit status is 1 if any FAILs.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that this machine and configuration are ready for production.",
        discussion: """
            Reads the configuration as `portico serve` would (--config, PORTICO_*) and checks the \
            file-descriptor limit against storage.max_open_sites, free disk, backups, the access \
            log, the data folder's permissions and TLS in front. Exits with status 1 if a check fails.
            """
    )

    @OptionGroup var options: DataOptions

    enum Level: String { case ok = "OK  ", warn = "WARN", fail = "FAIL" }

    struct Finding {
        var level: Level
        var text: String
    }

    func run() async throws {
        try await runReportingErrors {
            let configuration = try options.configuration()
            let findings = Self.findings(for: configuration)
            for finding in findings { printLine("\(finding.level.rawValue) \(finding.text)") }
            let failures = findings.filter { $0.level == .fail }.count
            let warnings = findings.filter { $0.level == .warn }.count
            printLine("\(findings.count) checks: \(failures) failed, \(warnings) warnings")
            if failures > 0 { throw ExitCode.failure }
        }
    }

    static func findings(for configuration: PorticoConfiguration) -> [Finding] {
        [descriptors(configuration), disk(configuration), backups(configuration), accessLog(configuration),
         dataFolder(configuration), tls(configuration), workers(configuration)]
    }

    /// Every open site holds a writer and its readers, each with the database, WAL and
    /// shared-memory files; connections and blobs need room on top.
    static func descriptors(_ configuration: PorticoConfiguration) -> Finding {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let sites = SQLiteContentStore.sitesHeldOpen(maximumOpenSites: configuration.maxOpenSites)
        let perWorker = sites * (1 + configuration.readersPerSite) * 3 + 1024
        let soft = Int(clamping: limit.rlim_cur)
        if soft >= perWorker {
            return Finding(level: .ok, text: "file descriptors: limit \(soft) covers \(configuration.maxOpenSites) open sites (needs about \(perWorker) per process)")
        }
        return Finding(level: .fail, text: "file descriptors: limit \(soft) is below the \(perWorker) that \(configuration.maxOpenSites) open sites may need: raise it (systemd LimitNOFILE=\(perWorker * 2), or ulimit -n) or lower storage.max_open_sites")
    }

    static func disk(_ configuration: PorticoConfiguration) -> Finding {
        let folder = existingAncestor(of: configuration.dataFolder)
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0, stats.f_blocks > 0 else {
            return Finding(level: .warn, text: "disk: cannot read free space of \(folder)")
        }
        let free = Double(stats.f_bavail) / Double(stats.f_blocks) * 100
        let freeGB = Double(stats.f_bavail) * Double(stats.f_frsize) / 1_073_741_824
        let text = String(format: "disk: %.0f%% free (%.1f GB) where the data lives", free, freeGB)
        if free < 10 { return Finding(level: .fail, text: text + ": free space now, writes will start failing") }
        if free < 60 { return Finding(level: .warn, text: text + ": keep at least 60% free so a backup fits beside the live data") }
        return Finding(level: .ok, text: text)
    }

    static func backups(_ configuration: PorticoConfiguration) -> Finding {
        guard let folder = configuration.backupFolder else {
            return Finding(level: .warn, text: "backups: no backup.folder configured: set one and back up each site regularly")
        }
        let url = URL(fileURLWithPath: folder, isDirectory: true)
        guard let files = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.contentModificationDateKey]) else {
            return Finding(level: .fail, text: "backups: \(folder) does not exist or cannot be read")
        }
        let newest = files.compactMap { try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate }.max()
        guard let newest else { return Finding(level: .fail, text: "backups: \(folder) holds no backup yet") }
        let hours = Date().timeIntervalSince(newest) / 3600
        if hours > Double(configuration.backupMaxAge) {
            return Finding(level: .fail, text: String(format: "backups: the newest in %@ is %.0f hours old (backup.max_age is %d)", folder, hours, configuration.backupMaxAge))
        }
        return Finding(level: .ok, text: String(format: "backups: the newest in %@ is %.1f hours old", folder, hours))
    }

    static func accessLog(_ configuration: PorticoConfiguration) -> Finding {
        switch configuration.accessLog {
        case "stdout": return Finding(level: .ok, text: "access log: standard output (collect it with journald or your log shipper)")
        case "off": return Finding(level: .warn, text: "access log: off: set log.access to stdout or a file to keep a record of requests")
        default:
            let path = configuration.accessLog
            let folder = (path as NSString).deletingLastPathComponent
            let writable = FileManager.default.fileExists(atPath: path) ? access(path, W_OK) == 0 : access(folder.isEmpty ? "." : folder, W_OK) == 0
            return writable ? Finding(level: .ok, text: "access log: \(path) is writable")
                : Finding(level: .fail, text: "access log: \(path) cannot be written: fix the folder's permissions or log.access")
        }
    }

    static func dataFolder(_ configuration: PorticoConfiguration) -> Finding {
        let path = configuration.dataFolder
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            let parent = existingAncestor(of: path)
            return access(parent, W_OK) == 0 ? Finding(level: .ok, text: "data folder: \(path) will be created on first run")
                : Finding(level: .fail, text: "data folder: \(path) does not exist and \(parent) is not writable")
        }
        let mode = (attributes[.posixPermissions] as? Int) ?? 0
        guard access(path, W_OK) == 0 else { return Finding(level: .fail, text: "data folder: \(path) is not writable by this user") }
        if mode & 0o002 != 0 { return Finding(level: .fail, text: "data folder: \(path) is writable by everyone: chmod o-w \(path)") }
        if mode & 0o004 != 0 {
            return Finding(level: .warn, text: "data folder: \(path) is readable by everyone, and it holds password hashes and sessions: chmod 750 \(path)")
        }
        return Finding(level: .ok, text: "data folder: \(path) is writable and private (mode \(String(mode, radix: 8)))")
    }

    static func tls(_ configuration: PorticoConfiguration) -> Finding {
        if configuration.behindTLS { return Finding(level: .ok, text: "TLS: expected in front (cookies are marked Secure)") }
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(configuration.host)
        if loopback {
            return Finding(level: .warn, text: "TLS: server.behind_tls is false: if clients reach this node over HTTPS through a proxy, set it so that cookies are marked Secure")
        }
        return Finding(level: .fail, text: "TLS: listening on \(configuration.host) without TLS in front: put a TLS-terminating proxy in front, listen on 127.0.0.1 and set server.behind_tls = true")
    }

    static func workers(_ configuration: PorticoConfiguration) -> Finding {
        if configuration.workers == 0 {
            return Finding(level: .warn, text: "workers: one process without a supervisor: set server.workers (e.g. 2) so crashes and leaks are recovered from without downtime")
        }
        let memory = configuration.workerMemoryLimit > 0 ? ", replaced above \(configuration.workerMemoryLimit) MB" : " (no memory limit: consider server.worker_memory_limit)"
        return Finding(level: .ok, text: "workers: \(configuration.workers) supervised\(memory)")
    }

    /// The path itself or its nearest existing parent.
    static func existingAncestor(of path: String) -> String {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: url.path) && url.path != "/" { url.deleteLastPathComponent() }
        return url.path
    }
}
