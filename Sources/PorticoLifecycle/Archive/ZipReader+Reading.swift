import Foundation
import PorticoCore
import ZIPFoundation

extension ZipReader {
    static let chunkSize = 64 * 1024

    /// Streams the bytes of `entry` to `consume`, chunk by chunk. Reads no more than the entry's
    /// compressed size, stops as soon as the output exceeds what its header declares, the
    /// compression ratio or the archive's total allows, and checks the length and CRC-32 at the end.
    func read(_ entry: Entry, consume: (Data) throws -> Void) throws {
        guard !entry.isDirectory else { return }
        let budget = limits.maximumTotalSize - min(produced, limits.maximumTotalSize)
        guard entry.uncompressedSize <= budget else {
            throw ArchiveError.tooLarge("\(entry.path) would take the archive past the limit of \(limits.maximumTotalSize) bytes uncompressed")
        }
        // Checked on the declared size first, then on every byte actually produced.
        let (inflated, overflow) = entry.compressedSize.multipliedReportingOverflow(by: limits.maximumCompressionRatio)
        let ratioLimit = entry.method == 0 || overflow ? UInt64.max : max(limits.ratioExemptSize, inflated)
        if entry.uncompressedSize > ratioLimit { throw Self.bomb(entry, limits) }

        var count: UInt64 = 0
        var crc = CRC32(0)
        func deliver(_ chunk: Data) throws {
            guard !chunk.isEmpty else { return }
            count += UInt64(chunk.count)
            if count > entry.uncompressedSize {
                throw ArchiveError.sizeMismatch(entry: entry.path, expected: entry.uncompressedSize, actual: count)
            }
            if count > ratioLimit { throw Self.bomb(entry, limits) }
            crc = chunk.crc32(checksum: crc)
            try consume(chunk)
        }
        if entry.method == 0 {
            try readStored(entry, into: deliver)
        } else {
            try readDeflated(entry, into: deliver)
        }
        produced += count
        guard count == entry.uncompressedSize else {
            throw ArchiveError.sizeMismatch(entry: entry.path, expected: entry.uncompressedSize, actual: count)
        }
        guard crc == entry.crc32 else { throw ArchiveError.corrupt("\(entry.path) fails its CRC-32 check") }
    }

    /// The whole entry in memory, for JSON documents; refuses entries above `maximumSize`.
    func data(of entry: Entry, maximumSize: UInt64) throws -> Data {
        guard entry.uncompressedSize <= maximumSize else {
            throw ArchiveError.tooLarge("\(entry.path) is \(entry.uncompressedSize) bytes, more than the \(maximumSize) a document may have")
        }
        var data = Data(capacity: Int(entry.uncompressedSize))
        try read(entry) { data.append($0) }
        return data
    }

    private func readStored(_ entry: Entry, into deliver: (Data) throws -> Void) throws {
        var offset: UInt64 = 0
        while offset < entry.compressedSize {
            let count = Int(min(UInt64(Self.chunkSize), entry.compressedSize - offset))
            try deliver(Data(try ZipFile.read(fd, at: entry.dataOffset + offset, count: count)))
            offset += UInt64(count)
        }
    }

    /// Inflates with ZIPFoundation's zlib binding, feeding it only the entry's own bytes.
    private func readDeflated(_ entry: Entry, into deliver: (Data) throws -> Void) throws {
        var consumed: UInt64 = 0
        func provide(_ position: Int64, _ size: Int) throws -> Data {
            let remaining = entry.compressedSize - consumed
            guard remaining > 0 else {
                throw ArchiveError.corrupt("the compressed data of \(entry.path) ends before its stream does")
            }
            let count = Int(min(UInt64(size), remaining))
            var chunk = Data(try ZipFile.read(self.fd, at: entry.dataOffset + consumed, count: count))
            consumed += UInt64(count)
            // ZIPFoundation's Linux inflater tells zlib a full buffer is available whatever the
            // chunk's length; padding keeps zlib inside this buffer. Bytes inflated from the
            // padding fail the size or CRC check, and the next call throws.
            if count < size { chunk.append(Data(count: size - count)) }
            return chunk
        }
        do {
            _ = try Data.decompress(size: Int64(entry.compressedSize), bufferSize: Self.chunkSize, skipCRC32: true, provider: provide, consumer: deliver)
        } catch let error as ArchiveError {
            throw error
        } catch let error as PorticoError {
            throw error
        } catch {
            // zlib's own complaint (ZIPFoundation's CompressionError) says no more than this.
            throw ArchiveError.corrupt("the compressed data of \(entry.path) is damaged")
        }
    }

    private static func bomb(_ entry: Entry, _ limits: ArchiveLimits) -> ArchiveError {
        .tooLarge("\(entry.path) inflates more than \(limits.maximumCompressionRatio) times its compressed size of \(entry.compressedSize) bytes, as zip bombs do")
    }
}
