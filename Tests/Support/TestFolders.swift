import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where tests put their databases, data folders and scratch files: one folder per test
/// process (`portico-tests.<pid>` in the system's temporary folder), removed when the process
/// exits. A run of the whole suite writes a few hundred megabytes there; without this, every
/// run left them behind. Folders of runs that were killed before they could clean up are
/// removed by the next run. Set `PORTICO_KEEP_TEST_FOLDERS=1` to keep them (to look at a failed
/// browser test's screenshots, say).
public enum TestFolders {
    /// A path inside this process's folder, unique to the call and not yet created:
    /// `<prefix>-<uuid><suffix>` (a suffix such as ".mbox" or ".log" makes a file name).
    public static func url(_ prefix: String, suffix: String = "") -> URL {
        root.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)")
    }

    /// The same as a path string.
    public static func path(_ prefix: String, suffix: String = "") -> String {
        url(prefix, suffix: suffix).path
    }

    private static let namePrefix = "portico-tests."

    private static let root: URL = {
        let temporary = FileManager.default.temporaryDirectory
        removeAbandonedFolders(in: temporary)
        let folder = temporary.appendingPathComponent(namePrefix + String(getpid()), isDirectory: true)
        // Readable by all: nginx and Varnish workers, which run as other users, read below it.
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        if ProcessInfo.processInfo.environment["PORTICO_KEEP_TEST_FOLDERS"] == nil {
            atexit { TestFolders.removeOwnFolder() }
        }
        return folder
    }()

    private static func removeOwnFolder() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(namePrefix + String(getpid()), isDirectory: true)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Folders of test processes that no longer run (killed, or crashed), untouched for an
    /// hour: a process of another PID namespace sharing this folder looks dead from here, but
    /// its folder changes while it runs.
    private static func removeAbandonedFolders(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(namePrefix) {
            guard let pid = pid_t(name.dropFirst(namePrefix.count)), pid != getpid() else { continue }
            let url = temporary.appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
            if kill(pid, 0) == -1 && errno == ESRCH && Date().timeIntervalSince(modified) > 3600 {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }
}
