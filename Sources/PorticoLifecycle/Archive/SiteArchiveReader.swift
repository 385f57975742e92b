import Crypto
import Foundation
import PorticoCore
import PorticoStore

/// An archive opened for import. Opening checks the zip's structure and names, reads the
/// manifest (its format version first) and matches it entry for entry against the zip;
/// documents and blobs are then read with their size and SHA-256 checked against it.
final class SiteArchiveReader {
    let zip: ZipReader
    let manifest: ArchiveManifest
    private let listed: [String: ArchiveManifest.Entry]

    init(url: URL, limits: ArchiveLimits) throws {
        zip = try ZipReader(url: url, limits: limits)
        for entry in zip.entries {
            if entry.isDirectory {
                // Some zip tools add folder entries; the only folder an archive has is blobs/.
                guard entry.path == ArchiveFormat.blobFolder, entry.uncompressedSize == 0 else { throw ArchiveError.unexpectedEntry(entry.path) }
            } else if !ArchiveFormat.isKnown(entry.path) {
                throw ArchiveError.unexpectedEntry(entry.path)
            }
        }
        guard let manifestEntry = zip.entry(ArchiveFormat.manifest) else { throw ArchiveError.missingEntry(ArchiveFormat.manifest) }
        let data = try zip.data(of: manifestEntry, maximumSize: limits.maximumDocumentSize)
        manifest = try Self.decodeManifest(data)

        var listed: [String: ArchiveManifest.Entry] = [:]
        for item in manifest.entries {
            guard ArchiveEntryPath.problem(with: item.path) == nil else { throw ArchiveError.unsafePath(item.path) }
            guard item.path != ArchiveFormat.manifest, ArchiveFormat.isKnown(item.path) else { throw ArchiveError.unexpectedEntry(item.path) }
            guard BlobReference.isValidDigest(item.sha256) else {
                throw ArchiveError.undecodable(entry: ArchiveFormat.manifest, reason: "the checksum of \(item.path) is not a SHA-256 in lowercase hex")
            }
            guard listed.updateValue(item, forKey: item.path) == nil else {
                throw ArchiveError.undecodable(entry: ArchiveFormat.manifest, reason: "it lists \(item.path) twice")
            }
            guard let entry = zip.entry(item.path) else { throw ArchiveError.missingEntry(item.path) }
            guard entry.uncompressedSize == item.size else {
                throw ArchiveError.sizeMismatch(entry: item.path, expected: item.size, actual: entry.uncompressedSize)
            }
        }
        for entry in zip.entries where !entry.isDirectory && entry.path != ArchiveFormat.manifest && listed[entry.path] == nil {
            throw ArchiveError.unexpectedEntry("\(entry.path) (not listed in the manifest)")
        }
        for document in ArchiveFormat.documents where listed[document] == nil {
            throw ArchiveError.missingEntry(document)
        }
        self.listed = listed
    }

    /// The digests of the blobs the archive holds.
    var blobDigests: Set<String> { Set(listed.keys.compactMap(ArchiveFormat.blobDigest)) }

    /// A JSON document, its checksum verified, decoded.
    func document<T: Decodable>(_ path: String, as type: T.Type) throws -> T {
        guard let item = listed[path], let entry = zip.entry(path) else { throw ArchiveError.missingEntry(path) }
        let data = try zip.data(of: entry, maximumSize: zip.limits.maximumDocumentSize)
        guard Self.hex(SHA256.hash(data: data)) == item.sha256 else { throw ArchiveError.checksumMismatch(entry: path) }
        do {
            return try ArchiveCoding.decoder.decode(type, from: data)
        } catch {
            throw ArchiveError.undecodable(entry: path, reason: ArchiveCoding.describe(error))
        }
    }

    /// Streams blob `sha256` into a new file in `folder` (flushed to disk), checking it against
    /// the manifest and its name. Returns the file; removes it on failure.
    func extractBlob(_ sha256: String, into folder: URL) throws -> URL {
        let path = ArchiveFormat.blobPath(sha256)
        guard let item = listed[path], let entry = zip.entry(path) else { throw ArchiveError.missingEntry(path) }
        let file = folder.appendingPathComponent(UUID().uuidString)
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw PorticoError.storage("cannot create \(file.path): \(String(cString: strerror(errno)))") }
        var closed = false
        var hasher = SHA256()
        do {
            try zip.read(entry) { chunk in
                hasher.update(data: chunk)
                try Self.write(chunk, to: fd, file: file)
            }
            guard fsync(fd) == 0 else { throw PorticoError.storage("cannot write \(file.path): \(String(cString: strerror(errno)))") }
            close(fd)
            closed = true
            let actual = Self.hex(hasher.finalize())
            guard actual == item.sha256 else { throw ArchiveError.checksumMismatch(entry: path) }
            guard actual == sha256 else { throw ArchiveError.blobHashMismatch(entry: path, actual: actual) }
            return file
        } catch {
            if !closed { close(fd) }
            unlink(file.path)
            throw error
        }
    }

    // MARK: Helpers

    private static func decodeManifest(_ data: Data) throws -> ArchiveManifest {
        let header: ArchiveManifestHeader
        do {
            header = try ArchiveCoding.decoder.decode(ArchiveManifestHeader.self, from: data)
        } catch {
            throw ArchiveError.undecodable(entry: ArchiveFormat.manifest, reason: ArchiveCoding.describe(error))
        }
        guard header.format == ArchiveFormat.name else { throw ArchiveError.notASiteArchive(header.format) }
        guard header.formatVersion <= ArchiveFormat.version else {
            throw ArchiveError.newerFormat(found: header.formatVersion, supported: ArchiveFormat.version)
        }
        guard header.formatVersion >= 1 else {
            throw ArchiveError.undecodable(entry: ArchiveFormat.manifest, reason: "format version \(header.formatVersion) does not exist")
        }
        do {
            return try ArchiveCoding.decoder.decode(ArchiveManifest.self, from: data)
        } catch {
            throw ArchiveError.undecodable(entry: ArchiveFormat.manifest, reason: ArchiveCoding.describe(error))
        }
    }

    private static func write(_ chunk: Data, to fd: Int32, file: URL) throws {
        try chunk.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PorticoError.storage("cannot write \(file.path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
