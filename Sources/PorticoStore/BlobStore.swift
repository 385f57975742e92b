public import Foundation
import Crypto
import PorticoCore

/// Binary content (images, files) kept outside the databases, addressed by SHA-256.
public protocol BlobStore: Sendable {
    /// Stores `data` and returns its digest and size. Storing the same bytes twice is a no-op.
    func put(_ data: Data) async throws -> (sha256: String, size: Int64)
    func contains(_ sha256: String) async -> Bool
    func data(_ sha256: String) async throws -> Data
    /// A local file holding the blob, for zero-copy serving; nil when the blob is missing.
    func localFile(_ sha256: String) -> URL?
}

/// Blobs as files under one folder: `<root>/ab/abcdef…` where `abcdef…` is the digest.
///
/// Writes are atomic: the bytes go to a temporary file in `<root>/.tmp`, are flushed with
/// fsync, and renamed into place, so a reader never sees half a blob.
public struct FileBlobStore: BlobStore {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public func put(_ data: Data) async throws -> (sha256: String, size: Int64) {
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let target = url(for: digest)
        if FileManager.default.fileExists(atPath: target.path) { return (digest, Int64(data.count)) }
        try AtomicFile.write(data, to: target, temporaryFolder: root.appendingPathComponent(".tmp"))
        return (digest, Int64(data.count))
    }

    public func contains(_ sha256: String) async -> Bool {
        localFile(sha256) != nil
    }

    public func data(_ sha256: String) async throws -> Data {
        guard let file = localFile(sha256) else { throw PorticoError.notFound("blob \(sha256)") }
        return try Data(contentsOf: file)
    }

    public func localFile(_ sha256: String) -> URL? {
        guard BlobReference.isValidDigest(sha256) else { return nil }
        let target = url(for: sha256)
        return FileManager.default.fileExists(atPath: target.path) ? target : nil
    }

    private func url(for digest: String) -> URL {
        root.appendingPathComponent(String(digest.prefix(2))).appendingPathComponent(digest)
    }
}

/// Writing a file so that it is either complete or absent, even across a crash.
public enum AtomicFile {
    public static func write(_ data: Data, to target: URL, temporaryFolder: URL) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: temporaryFolder, withIntermediateDirectories: true)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw PorticoError.storage("cannot create folder for \(target.lastPathComponent): \(error.localizedDescription)")
        }
        let temporary = temporaryFolder.appendingPathComponent(UUID().uuidString)
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw PorticoError.storage("cannot create \(temporary.path): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temporary.path) }
        }
        let written: Bool = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced else { throw PorticoError.storage("cannot write \(target.lastPathComponent): \(String(cString: strerror(errno)))") }
        guard rename(temporary.path, target.path) == 0 else {
            throw PorticoError.storage("cannot move blob into place: \(String(cString: strerror(errno)))")
        }
        ok = true
        // Make the rename itself durable.
        let dirFD = open(target.deletingLastPathComponent().path, O_RDONLY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}
