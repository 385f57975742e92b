import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where tests put their databases, data folders and scratch files: one folder per test
/// process (`portico-tests.<pid>` in the system's temporary folder), removed when the process
/// exits. A run of the whole suite writes a few hundred megabytes there; without this, every
/// run left them behind. Folders of runs that were killed before they could clean up are
/// removed by the next run.
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
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { TestFolders.removeOwnFolder() }
        return folder
    }()

    private static func removeOwnFolder() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(namePrefix + String(getpid()), isDirectory: true)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Folders of test processes that no longer run (killed, or crashed).
    private static func removeAbandonedFolders(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(namePrefix) {
            guard let pid = pid_t(name.dropFirst(namePrefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }
}
