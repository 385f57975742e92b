import Foundation
import PorticoCore

/// Flushing to disk before a rename, so that a crash leaves the old state or the complete new
/// one, never a file that exists with half its content.
enum FileSync {
    static func file(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw PorticoError.storage("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw PorticoError.storage("cannot flush \(url.path): \(String(cString: strerror(errno)))") }
    }

    /// Best effort: some file systems refuse to sync folders, and the data is safe by then.
    static func folder(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
