import Foundation
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Musl)
import Musl
private let systemRead = Musl.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// One message's raw bytes in an mbox file, and where it was found (for error reports and
/// resumable imports).
public struct MboxEntry: Sendable {
    /// 1-based position in the file (counted from where reading started).
    public let number: Int
    /// Byte offset of its "From " line.
    public let offset: Int64
    /// The message without the "From " separator line, with ">From " unescaped
    /// (mboxrd/mboxo), trailing blank separator line removed.
    public let bytes: [UInt8]
    /// The "From " separator line itself (without the line break), e.g. "From joe@x Mon Jan  2 15:04:05 2006".
    public let separatorLine: String

    public init(number: Int, offset: Int64, bytes: [UInt8], separatorLine: String = "") {
        self.number = number
        self.offset = offset
        self.bytes = bytes
        self.separatorLine = separatorLine
    }
}

/// Streams an mbox file message by message without loading the whole file (archives can be
/// several GB): it reads 4 MiB chunks straight into one buffer and finds "\nFrom " with
/// 16-byte vector compares, so splitting runs at disk speed.
///
/// A separator is a line starting with "From " that follows an empty line (or starts the file),
/// or that carries a time ("hh:mm"), so an unescaped "From " sentence in a body does not split a
/// message. `for entry in reader` is enough for most uses; to tell the end of the file from an
/// I/O error, and for progress (`bytesRead` of `fileSize`), drive the iterator yourself:
///
///     var it = reader.makeIterator()
///     while let entry = it.next() { ...; progress(it.bytesRead, it.fileSize) }
///     if let error = it.error { throw error }
public struct MboxReader: Sequence, Sendable {
    public let url: URL
    /// Size of the file in bytes when the reader was created.
    public let fileSize: Int64
    let startOffset: Int64
    let startNumber: Int
    let chunkSize: Int

    /// Opens an mbox file. Throws `.notAnMbox` if it does not start with "From " (an empty file
    /// is a valid, empty mbox) and `.unreadable` if it cannot be read.
    public init(url: URL) throws(MailError) {
        try self.init(url: url, resumeAt: 0, number: 1)
    }

    /// Opens an mbox file to resume reading at `offset`, which must be the offset of a "From "
    /// line (an `MboxEntry.offset`); entries are numbered from `number`.
    public init(url: URL, resumeAt offset: Int64, number: Int = 1, chunkSize: Int = 4 << 20) throws(MailError) {
        self.url = url
        self.startOffset = Swift.max(0, offset)
        self.startNumber = number
        self.chunkSize = Swift.max(4096, chunkSize)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw MailError.unreadable("\(url.path): no such file")
        }
        if isDirectory.boolValue { throw MailError.unreadable("\(url.path): is a directory, not an mbox file") }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw MailError.unreadable("\(url.path): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            self.fileSize = Int64(clamping: size)
            if size == 0 && offset == 0 { return }
            guard UInt64(startOffset) < size else {
                throw MailError.unreadable("\(url.path): offset \(offset) is past the end of the file")
            }
            try handle.seek(toOffset: UInt64(startOffset))
            let head = try handle.read(upToCount: 5) ?? Data()
            guard Array(head) == Array("From ".utf8) else {
                if offset == 0 { throw MailError.notAnMbox(url.path) }
                throw MailError.unreadable("\(url.path): no \"From \" line at offset \(offset)")
            }
        } catch let e as MailError {
            throw e
        } catch {
            throw MailError.unreadable("\(url.path): \(error.localizedDescription)")
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(reader: self)
    }

    /// Yields the entries in file order. It owns the open file and its buffer: use one per loop,
    /// and do not copy it.
    public struct Iterator: IteratorProtocol {
        /// Bytes of the file consumed so far (the offset just past the last entry returned).
        public private(set) var bytesRead: Int64
        /// Set when reading stopped because of an I/O error.
        public private(set) var error: MailError?
        public let fileSize: Int64

        private let url: URL
        private var handle: FileHandle?
        private let chunkSize: Int
        private let buffer = ChunkBuffer()
        /// File offset of the buffer's first byte.
        private var bufferOffset: Int64
        /// Index in the buffer of the next "From " line.
        private var position = 0
        private var eof = false
        private var number: Int

        init(reader: MboxReader) {
            url = reader.url
            chunkSize = reader.chunkSize
            fileSize = reader.fileSize
            bufferOffset = reader.startOffset
            bytesRead = reader.startOffset
            number = reader.startNumber
            do {
                let h = try FileHandle(forReadingFrom: reader.url)
                try h.seek(toOffset: UInt64(reader.startOffset))
                handle = h
            } catch {
                self.error = .unreadable("\(reader.url.path): \(error.localizedDescription)")
                eof = true
            }
        }

        /// Reads the next chunk, first dropping the bytes before `position`. Returns false at end of file.
        private mutating func fill() -> Bool {
            guard !eof, let handle else { return false }
            if position > 0 {
                buffer.dropFirst(position)
                bufferOffset += Int64(position)
                position = 0
            }
            switch buffer.read(from: handle.fileDescriptor, upTo: chunkSize) {
            case .some(let n) where n > 0:
                return true
            case .some:
                eof = true
            case .none:
                let reason = String(cString: strerror(errno))
                self.error = .unreadable("\(url.path): \(reason)")
                eof = true
            }
            try? handle.close()
            self.handle = nil
            return false
        }

        private enum Search {
            case found(Int)
            case needMore(Int)
            case end
        }

        public mutating func next() -> MboxEntry? {
            // Offsets below are relative to `position`: `fill()` only drops bytes before it.
            // 1. The "From " line of this entry, complete.
            var relLineEnd: Int
            var relSearch = 0
            while true {
                let b = buffer.bytes
                if let nl = b.index(of: ASCII.lf, from: position + relSearch, to: b.count) {
                    relLineEnd = nl - position
                    break
                }
                relSearch = b.count - position
                if !fill() {
                    if position >= buffer.count { return nil }
                    relLineEnd = buffer.count - position
                    break
                }
            }
            // 2. The start of the next separator line, or the end of the file.
            var relScan = relLineEnd
            var relEnd = -1
            var escaped = false
            while relEnd < 0 {
                let base = position
                switch Self.findSeparator(buffer.bytes, from: base + relScan, fromLineLF: base + relLineEnd,
                                          atEOF: eof, escaped: &escaped) {
                case .found(let s):
                    relEnd = s - base
                case .needMore(let nl):
                    relScan = Swift.max(nl - base, relLineEnd)
                    if !fill() && !eof { relEnd = buffer.count - position }
                case .end:
                    relEnd = buffer.count - base
                }
            }
            let from = position
            let lineEnd = position + relLineEnd
            let end = position + relEnd
            let entry = makeEntry(buffer.bytes, from: from, lineEnd: lineEnd, start: Swift.min(lineEnd + 1, end), end: end,
                                  escaped: escaped)
            bytesRead = bufferOffset + Int64(end)
            position = end
            number += 1
            return entry
        }

        /// Looks for "\nFrom " lines at or after `from` that qualify as separators; `.needMore`
        /// with the newline to resume at when the buffer ends before a decision.
        /// Also sets `escaped` when it passes a ">From " line (a conservative hint for `unescape`).
        private static func findSeparator(_ b: Bytes, from: Int, fromLineLF: Int, atEOF: Bool, escaped: inout Bool) -> Search {
            var i = from
            while let nl = b.index(ofPair: ASCII.lf, UInt8(ascii: "F"), or: ASCII.gt, from: i, to: b.count) {
                let s = nl + 1
                if b[s] == ASCII.gt {
                    // ">From" or ">>...", or the next byte is not read yet: let unescape() look.
                    if !escaped, s + 1 >= b.count || b[s + 1] == ASCII.gt || b[s + 1] == UInt8(ascii: "F") { escaped = true }
                    i = s
                    continue
                }
                if s + 5 > b.count {
                    if atEOF { break }
                    return .needMore(nl)
                }
                if b[s + 1] == UInt8(ascii: "r"), b[s + 2] == UInt8(ascii: "o"), b[s + 3] == UInt8(ascii: "m"), b[s + 4] == ASCII.space {
                    let blankBefore = nl == fromLineLF
                        || (nl >= 1 && b[nl - 1] == ASCII.lf)
                        || (nl >= 2 && b[nl - 1] == ASCII.cr && b[nl - 2] == ASCII.lf)
                    if blankBefore { return .found(s) }
                    let limit = Swift.min(b.count, s + 1000)
                    if let end = b.index(of: ASCII.lf, from: s, to: limit) {
                        if hasTime(b, s..<end) { return .found(s) }
                    } else if limit == b.count {
                        // The line goes on past the buffer: read more, or judge what there is.
                        if !atEOF { return .needMore(nl) }
                        if hasTime(b, s..<b.count) { return .found(s) }
                    }
                }
                i = s
            }
            // The last byte may be a newline whose next byte is not read yet.
            return atEOF ? .end : .needMore(Swift.max(from, b.count - 1))
        }

        private func makeEntry(_ b: Bytes, from: Int, lineEnd: Int, start: Int, end: Int, escaped: Bool) -> MboxEntry {
            var lineStop = lineEnd
            if lineStop > from, b[lineStop - 1] == ASCII.cr { lineStop -= 1 }
            let separator = Charsets.decodeFallback(Bytes(rebasing: b[from..<Swift.max(from, lineStop)]))
            var stop = end
            // Remove the blank line that separates messages.
            if stop - start >= 1, b[stop - 1] == ASCII.lf, stop - 1 == start || b[stop - 2] == ASCII.lf {
                stop -= 1
            } else if stop - start >= 2, b[stop - 1] == ASCII.lf, b[stop - 2] == ASCII.cr,
                      stop - 2 == start || b[stop - 3] == ASCII.lf {
                stop -= 2
            }
            let range = Swift.max(start, 0)..<Swift.max(start, stop)
            let bytes = escaped || (start < stop && b[start] == ASCII.gt)
                ? Self.unescape(b, range)
                : Array(b[range])
            return MboxEntry(number: number, offset: bufferOffset + Int64(from), bytes: bytes, separatorLine: separator)
        }

        /// Copies the message, turning ">From " (and ">>From " ...) at line starts into one ">" less.
        static func unescape(_ b: Bytes, _ range: Range<Int>) -> [UInt8] {
            var needs = range.lowerBound < range.upperBound && isEscapedFrom(b, range.lowerBound, range.upperBound)
            var i = range.lowerBound
            while !needs, let nl = b.index(ofPair: ASCII.lf, ASCII.gt, from: i, to: range.upperBound) {
                if isEscapedFrom(b, nl + 1, range.upperBound) { needs = true }
                i = nl + 1
            }
            if !needs { return Array(b[range]) }
            var out = [UInt8]()
            out.reserveCapacity(range.count)
            var lineStart = true
            var k = range.lowerBound
            while k < range.upperBound {
                let c = b[k]
                if lineStart && c == ASCII.gt && isEscapedFrom(b, k, range.upperBound) {
                    k += 1 // drop one ">"
                    lineStart = false
                    continue
                }
                out.append(c)
                lineStart = c == ASCII.lf
                k += 1
            }
            return out
        }

        /// Whether `b[at...]` is ">" followed by more ">" and then "From ".
        private static func isEscapedFrom(_ b: Bytes, _ at: Int, _ end: Int) -> Bool {
            var j = at
            while j < end, b[j] == ASCII.gt { j += 1 }
            guard j > at, j + 5 <= end else { return false }
            return b[j] == UInt8(ascii: "F") && b[j + 1] == UInt8(ascii: "r") && b[j + 2] == UInt8(ascii: "o")
                && b[j + 3] == UInt8(ascii: "m") && b[j + 4] == ASCII.space
        }

        /// Whether the line contains a time "h:mm" (separator lines carry a date).
        static func hasTime(_ b: Bytes, _ range: Range<Int>) -> Bool {
            var i = range.lowerBound + 1
            while i + 2 < range.upperBound {
                if b[i] == ASCII.colon, isDigit(b[i - 1]), isDigit(b[i + 1]), isDigit(b[i + 2]) { return true }
                i += 1
            }
            return false
        }
    }
}

/// A growable byte buffer that file chunks are read into directly, without intermediate `Data`.
private final class ChunkBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var bytes: Bytes { Bytes(start: storage, count: count) }

    /// Removes the first `n` bytes, moving the rest to the front.
    func dropFirst(_ n: Int) {
        let n = Swift.min(Swift.max(n, 0), count)
        if n < count { memmove(storage, storage + n, count - n) }
        count -= n
    }

    /// Reads up to `n` bytes from `fd` at the end. Returns the count read (0 at end of file), nil on error.
    func read(from fd: Int32, upTo n: Int) -> Int? {
        if capacity - count < n {
            let newCapacity = Swift.max(capacity * 2, count + n)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.initialize(from: storage, count: count)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
        while true {
            let r = systemRead(fd, storage + count, n)
            if r >= 0 {
                count += r
                return r
            }
            if errno == EINTR { continue }
            return nil
        }
    }
}
