import Foundation
import PorticoCore

/// A strict zip reader for untrusted archives.
///
/// ZIPFoundation writes our archives, but its reader trusts the headers: it reads an entry by
/// its declared sizes, silently stops listing entries at a damaged directory record, and its
/// Linux inflater keeps reading past an entry's compressed bytes (and can spin forever on a
/// stream that never ends). This reader parses the directory itself, cross-checks every
/// local header against it, refuses overlapping entries, symbolic links, encryption and
/// unsafe names, and bounds every read by the entry's compressed size and every output by
/// its declared size and `ArchiveLimits` (see `ZipReader+Reading.swift`).
final class ZipReader {
    struct Entry: Sendable, Equatable {
        let path: String
        let isDirectory: Bool
        /// 0 stored, 8 deflated.
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: UInt64
        let uncompressedSize: UInt64
        let headerOffset: UInt64
        let nameBytes: [UInt8]
        /// Where the entry's bytes start, known after its local header was read.
        var dataOffset: UInt64 = 0

        var usesDataDescriptor: Bool { flags & 0x0008 != 0 }
    }

    let url: URL
    let fileSize: UInt64
    let limits: ArchiveLimits
    private(set) var entries: [Entry] = []
    private let entryIndex: [String: Int]
    let fd: Int32
    /// Uncompressed bytes handed out so far, against `limits.maximumTotalSize`.
    var produced: UInt64 = 0

    init(url: URL, limits: ArchiveLimits) throws {
        self.url = url
        self.limits = limits
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            throw PorticoError.notFound("archive \(url.path)")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw PorticoError.invalid(field: "archive", reason: "\(url.path) is not a regular file")
        }
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw PorticoError.storage("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        self.fd = fd
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else {
            close(fd)
            throw PorticoError.storage("cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        fileSize = UInt64(end)
        do {
            let reading = DirectoryReading(fd: fd, fileSize: fileSize, limits: limits)
            entries = try reading.entries()
        } catch {
            close(fd)
            throw error
        }
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() { index[entry.path] = position }
        entryIndex = index
    }

    deinit { close(fd) }

    func entry(_ path: String) -> Entry? { entryIndex[path].map { entries[$0] } }
}

/// Reads and checks the end record, the central directory and every local header.
private struct DirectoryReading {
    let fd: Int32
    let fileSize: UInt64
    let limits: ArchiveLimits

    func entries() throws -> [ZipReader.Entry] {
        let end = try endOfDirectory()
        guard end.count <= UInt64(limits.maximumEntryCount) else {
            throw ArchiveError.tooLarge("it has \(end.count) entries, more than the limit of \(limits.maximumEntryCount)")
        }
        guard end.directorySize <= 256 << 20 else { throw ArchiveError.tooLarge("its central directory is \(end.directorySize) bytes") }
        guard end.directoryOffset <= end.directoryLimit, end.directorySize <= end.directoryLimit - end.directoryOffset else {
            throw ArchiveError.corrupt("the central directory lies outside the file")
        }
        var cursor = ByteCursor(try ZipFile.read(fd, at: end.directoryOffset, count: Int(end.directorySize)))
        var entries: [ZipReader.Entry] = []
        var seen = Set<String>()
        var declared: UInt64 = 0
        for number in 0..<end.count {
            var entry = try Self.directoryRecord(&cursor, number: number)
            guard seen.insert(entry.path).inserted else { throw ArchiveError.corrupt("the entry \(entry.path) appears twice") }
            entry.dataOffset = try localHeader(of: entry, before: end.directoryOffset)
            let (sum, overflow) = declared.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= limits.maximumTotalSize else {
                throw ArchiveError.tooLarge("its entries declare more than the limit of \(limits.maximumTotalSize) bytes uncompressed")
            }
            declared = sum
            entries.append(entry)
        }
        try Self.checkNoOverlap(entries)
        return entries
    }

    // MARK: End of central directory

    struct End {
        var count: UInt64
        var directorySize: UInt64
        var directoryOffset: UInt64
        /// Where the directory must end: the start of the (ZIP64) end record.
        var directoryLimit: UInt64
    }

    private func endOfDirectory() throws -> End {
        let tailLength = min(fileSize, 22 + 0xFFFF)
        let tail = try ZipFile.read(fd, at: fileSize - tailLength, count: Int(tailLength))
        // The end record is the last signature whose comment length reaches the end of the file exactly.
        var found: Int?
        if tail.count >= 22 {
            var position = tail.count - 22
            while position >= 0 {
                if tail[position] == 0x50, tail[position + 1] == 0x4b, tail[position + 2] == 0x05, tail[position + 3] == 0x06 {
                    let commentLength = Int(tail[position + 20]) | Int(tail[position + 21]) << 8
                    if position + 22 + commentLength == tail.count {
                        found = position
                        break
                    }
                }
                position -= 1
            }
        }
        guard let found else {
            let head = try? ZipFile.read(fd, at: 0, count: Int(min(fileSize, 4)))
            if let head, head.starts(with: [0x50, 0x4b, 0x03, 0x04]) {
                throw ArchiveError.truncated("the end of its central directory is missing")
            }
            throw ArchiveError.notAZip
        }
        var record = ByteCursor(Array(tail[found..<(found + 22)]))
        _ = try record.u32()
        let disk = try record.u16(), directoryDisk = try record.u16()
        let countOnDisk = try record.u16(), count = try record.u16()
        let size = try record.u32(), offset = try record.u32()
        guard disk == 0, directoryDisk == 0, countOnDisk == count else {
            throw ArchiveError.corrupt("it spans several disks, which is not supported")
        }
        let recordOffset = fileSize - tailLength + UInt64(found)
        var end = End(count: UInt64(count), directorySize: UInt64(size), directoryOffset: UInt64(offset), directoryLimit: recordOffset)
        // A ZIP64 locator right before the end record points to the 64-bit sizes.
        if recordOffset >= 20 {
            var locator = ByteCursor(try ZipFile.read(fd, at: recordOffset - 20, count: 20))
            if try locator.u32() == 0x0706_4b50 {
                _ = try locator.u32()
                let zip64Offset = try locator.u64()
                guard recordOffset - 20 >= 56, zip64Offset <= recordOffset - 20 - 56 else {
                    throw ArchiveError.corrupt("its ZIP64 end record lies outside the file")
                }
                var zip64 = ByteCursor(try ZipFile.read(fd, at: zip64Offset, count: 56))
                guard try zip64.u32() == 0x0606_4b50 else { throw ArchiveError.corrupt("its ZIP64 end record is damaged") }
                _ = try zip64.u64()  // record size
                _ = try zip64.u16()  // version made by
                _ = try zip64.u16()  // version needed
                let disk64 = try zip64.u32(), directoryDisk64 = try zip64.u32()
                let countOnDisk64 = try zip64.u64(), count64 = try zip64.u64()
                guard disk64 == 0, directoryDisk64 == 0, countOnDisk64 == count64 else {
                    throw ArchiveError.corrupt("it spans several disks, which is not supported")
                }
                end = End(count: count64, directorySize: try zip64.u64(), directoryOffset: try zip64.u64(), directoryLimit: zip64Offset)
            }
        }
        if end.count == 0xFFFF || end.directorySize == 0xFFFF_FFFF || end.directoryOffset == 0xFFFF_FFFF,
           end.directoryLimit == recordOffset {
            throw ArchiveError.corrupt("its end record needs a ZIP64 record that is missing")
        }
        return end
    }

    // MARK: Central directory

    private static func directoryRecord(_ cursor: inout ByteCursor, number: UInt64) throws -> ZipReader.Entry {
        guard cursor.remaining >= 46, try cursor.u32() == 0x0201_4b50 else {
            throw ArchiveError.corrupt("central directory record \(number + 1) is damaged")
        }
        let madeBy = try cursor.u16()
        _ = try cursor.u16()  // version needed
        let flags = try cursor.u16(), method = try cursor.u16()
        _ = try cursor.u32()  // time and date
        let crc = try cursor.u32()
        var compressed = UInt64(try cursor.u32()), uncompressed = UInt64(try cursor.u32())
        let nameLength = Int(try cursor.u16()), extraLength = Int(try cursor.u16()), commentLength = Int(try cursor.u16())
        let diskStart = try cursor.u16()
        _ = try cursor.u16()  // internal attributes
        let external = try cursor.u32()
        var offset = UInt64(try cursor.u32())
        guard cursor.remaining >= nameLength + extraLength + commentLength else {
            throw ArchiveError.corrupt("central directory record \(number + 1) is damaged")
        }
        let nameBytes = try cursor.bytes(nameLength)
        var extra = ByteCursor(try cursor.bytes(extraLength))
        _ = try cursor.bytes(commentLength)

        guard let path = String(validating: nameBytes, as: UTF8.self) else {
            throw ArchiveError.unsafePath(String(decoding: nameBytes, as: UTF8.self))
        }
        guard ArchiveEntryPath.problem(with: path) == nil else { throw ArchiveError.unsafePath(path) }
        // Unix and macOS keep the file type in the upper half of the external attributes.
        let system = madeBy >> 8
        if system == 3 || system == 19, (external >> 16) & 0o170000 == 0o120000 {
            throw ArchiveError.unsafePath(path + " (a symbolic link)")
        }
        // ZIP64: 64-bit values replace, in this order, the fields that are all ones.
        while extra.remaining >= 4 {
            let id = try extra.u16(), size = Int(try extra.u16())
            var field = ByteCursor(try extra.bytes(min(size, extra.remaining)))
            guard id == 0x0001 else { continue }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try field.u64() }
            if compressed == 0xFFFF_FFFF { compressed = try field.u64() }
            if offset == 0xFFFF_FFFF { offset = try field.u64() }
        }
        guard uncompressed != 0xFFFF_FFFF, compressed != 0xFFFF_FFFF, offset != 0xFFFF_FFFF else {
            throw ArchiveError.corrupt("the entry \(path) lacks its ZIP64 sizes")
        }
        guard diskStart == 0 || diskStart == 0xFFFF else { throw ArchiveError.corrupt("it spans several disks, which is not supported") }
        guard flags & 0x0001 == 0, flags & 0x0040 == 0 else { throw ArchiveError.corrupt("the entry \(path) is encrypted") }
        guard method == 0 || method == 8 else {
            throw ArchiveError.corrupt("the entry \(path) uses compression method \(method); only stored and deflated entries are read")
        }
        if method == 0, compressed != uncompressed {
            throw ArchiveError.corrupt("the stored entry \(path) declares \(compressed) bytes stored but \(uncompressed) bytes of content")
        }
        return ZipReader.Entry(
            path: path, isDirectory: path.hasSuffix("/"), method: method, flags: flags, crc32: crc,
            compressedSize: compressed, uncompressedSize: uncompressed, headerOffset: offset, nameBytes: nameBytes
        )
    }

    // MARK: Local headers

    /// Checks the entry's local header against its directory record; returns where its data starts.
    private func localHeader(of entry: ZipReader.Entry, before directoryOffset: UInt64) throws -> UInt64 {
        guard entry.headerOffset <= directoryOffset, directoryOffset - entry.headerOffset >= 30 else {
            throw ArchiveError.corrupt("the local header of \(entry.path) lies outside the file")
        }
        var header = ByteCursor(try ZipFile.read(fd, at: entry.headerOffset, count: 30))
        guard try header.u32() == 0x0403_4b50 else { throw ArchiveError.corrupt("the local header of \(entry.path) is damaged") }
        _ = try header.u16()  // version needed
        let flags = try header.u16(), method = try header.u16()
        _ = try header.u32()  // time and date
        let crc = try header.u32(), compressed = try header.u32(), uncompressed = try header.u32()
        let nameLength = UInt64(try header.u16()), extraLength = UInt64(try header.u16())
        let dataOffset = entry.headerOffset + 30 + nameLength + extraLength
        guard dataOffset <= directoryOffset, entry.compressedSize <= directoryOffset - dataOffset else {
            throw ArchiveError.corrupt("the data of \(entry.path) runs into the central directory")
        }
        let name = try ZipFile.read(fd, at: entry.headerOffset + 30, count: Int(nameLength))
        guard name == entry.nameBytes, method == entry.method, flags & 0x0001 == 0 else {
            throw ArchiveError.corrupt("the headers of \(entry.path) disagree about its name or compression")
        }
        // Without a data descriptor the local header repeats the sizes (unless they are ZIP64).
        if flags & 0x0008 == 0 {
            let sizesAgree = (compressed == 0xFFFF_FFFF || UInt64(compressed) == entry.compressedSize)
                && (uncompressed == 0xFFFF_FFFF || UInt64(uncompressed) == entry.uncompressedSize)
            guard crc == entry.crc32, sizesAgree else {
                throw ArchiveError.corrupt("the headers of \(entry.path) disagree about its size or checksum")
            }
        }
        return dataOffset
    }

    /// Entries that share bytes are how the smallest zip bombs multiply their output.
    private static func checkNoOverlap(_ entries: [ZipReader.Entry]) throws {
        let sorted = entries.sorted { $0.headerOffset < $1.headerOffset }
        for (first, second) in zip(sorted, sorted.dropFirst()) {
            let (end, overflow) = first.dataOffset.addingReportingOverflow(first.compressedSize)
            guard !overflow, end <= second.headerOffset else {
                throw ArchiveError.corrupt("the entries \(first.path) and \(second.path) overlap, as in a zip bomb")
            }
        }
    }
}

/// Reading raw bytes at an offset.
enum ZipFile {
    /// Exactly `count` bytes at `offset`, or `.truncated` when the file ends first.
    static func read(_ fd: Int32, at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard offset <= UInt64(Int64.max) else { throw ArchiveError.corrupt("an offset lies outside the file") }
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while got < count {
                let n = pread(fd, buffer.baseAddress! + got, count - got, off_t(offset) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PorticoError.storage("cannot read the archive: \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                got += n
            }
        }
        guard got == count else { throw ArchiveError.truncated("it ends in the middle of an entry") }
        return bytes
    }
}

/// Little-endian fields from a byte array, throwing instead of reading past its end.
struct ByteCursor {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else { throw ArchiveError.corrupt("a header ends early") }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func u16() throws -> UInt16 {
        let b = try bytes(2)
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    mutating func u32() throws -> UInt32 {
        let b = try bytes(4)
        return b.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    mutating func u64() throws -> UInt64 {
        let b = try bytes(8)
        return b.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}
