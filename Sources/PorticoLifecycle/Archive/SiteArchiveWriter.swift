import Crypto
import Foundation
import PorticoCore
import ZIPFoundation

/// Writes a site archive with ZIPFoundation, recording each entry's size and SHA-256 for the
/// manifest, which is written last because it lists all the others.
final class SiteArchiveWriter {
    private var archive: Archive?
    private(set) var entries: [ArchiveManifest.Entry] = []
    let url: URL
    /// The modification date of every entry: the moment of the export.
    let date: Date

    init(creating url: URL, date: Date) throws {
        self.url = url
        self.date = date
        do {
            archive = try Archive(url: url, accessMode: .create, pathEncoding: nil)
        } catch {
            throw PorticoError.storage("cannot create \(url.path): \(error)")
        }
    }

    /// A JSON document, deflated.
    func add(_ path: String, json value: some Encodable) throws {
        try add(path, data: try ArchiveCoding.encoder.encode(value), compressed: true)
    }

    func add(_ path: String, data: Data, compressed: Bool) throws {
        try write(path, size: Int64(data.count), compressed: compressed) { position, size in
            data.subdata(in: Int(position)..<(Int(position) + size))
        }
        entries.append(ArchiveManifest.Entry(path: path, size: UInt64(data.count), sha256: SiteArchiveReader.hex(SHA256.hash(data: data))))
    }

    /// Streams a blob file into `blobs/<sha256>`, stored as is (media is compressed already, and
    /// a ratio of 1 keeps imports far from the zip-bomb limits). Refuses a blob whose content
    /// no longer hashes to its name: an archive must never carry damage on.
    func addBlob(_ sha256: String, file: URL) throws {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: file) } catch { throw PorticoError.storage("cannot read blob \(sha256): \(error.localizedDescription)") }
        defer { try? handle.close() }
        let size: Int64
        do { size = Int64(try handle.seekToEnd()) } catch { throw PorticoError.storage("cannot read blob \(sha256): \(error.localizedDescription)") }
        var hasher = SHA256()
        var hashed: Int64 = 0
        try write(ArchiveFormat.blobPath(sha256), size: size, compressed: false) { position, count in
            try handle.seek(toOffset: UInt64(position))
            let chunk = try handle.read(upToCount: count) ?? Data()
            guard chunk.count == count else { throw PorticoError.storage("blob \(sha256) changed while it was being exported") }
            if position == hashed {
                hasher.update(data: chunk)
                hashed += Int64(count)
            }
            return chunk
        }
        let actual = SiteArchiveReader.hex(hasher.finalize())
        guard hashed == size, actual == sha256 else { throw PorticoError.storage("blob \(sha256) is damaged: its content hashes to \(actual)") }
        entries.append(ArchiveManifest.Entry(path: ArchiveFormat.blobPath(sha256), size: UInt64(size), sha256: sha256))
    }

    /// Closes the file. Call after the manifest was added.
    func close() {
        archive = nil
    }

    private func write(_ path: String, size: Int64, compressed: Bool, provider: Provider) throws {
        guard let archive else { throw PorticoError.storage("the archive \(url.path) is closed") }
        do {
            try archive.addEntry(with: path, type: .file, uncompressedSize: size, modificationDate: date,
                                 compressionMethod: compressed ? .deflate : .none, provider: provider)
        } catch let error as PorticoError {
            throw error
        } catch {
            throw PorticoError.storage("cannot write \(path) to \(url.path): \(error)")
        }
    }
}
