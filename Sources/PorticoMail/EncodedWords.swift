/// RFC 2047 encoded-words ("=?charset?B|Q?text?=") in headers and parameter values.
///
/// Lenient like mail readers: words inside quoted strings or glued to text are decoded too,
/// whitespace between adjacent encoded-words is dropped, and adjacent words in the same
/// charset are joined before decoding so a multi-byte character split across words survives.
enum EncodedWords {
    private struct Word {
        var charset: Range<Int>
        var bytes: [UInt8]
        var end: Int
    }

    static func decode(_ s: String) -> String {
        guard s.utf8.count >= 8, s.utf8.contains(ASCII.question) else { return s }
        let bytes = Array(s.utf8)
        return bytes.withBytes { decode($0, 0..<$0.count) }
    }

    /// Decodes the header text in `b[range]`; text outside encoded-words is decoded as
    /// UTF-8 if valid, else Latin-1.
    static func decode(_ b: Bytes, _ range: Range<Int>) -> String {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        guard lo < hi else { return "" }
        // Fast path: no "=?" at all.
        var probe = lo
        var found = false
        while let q = b.index(of: ASCII.question, from: probe, to: hi) {
            if q > lo, b[q - 1] == ASCII.equals { found = true; break }
            probe = q + 1
        }
        if !found { return Charsets.decodeFallback(Bytes(rebasing: b[lo..<hi])) }

        var out = ""
        var literalStart = lo
        var pendingCharset: Range<Int>? = nil
        var pendingBytes = [UInt8]()
        var i = lo
        // Set once a search for "?=" ran to the end: later words cannot be terminated either.
        var unterminated = false

        func flushPending() {
            if let cs = pendingCharset {
                out += Charsets.decode(pendingBytes, charset: Charsets.decodeFallback(Bytes(rebasing: b[cs])))
                pendingCharset = nil
                pendingBytes.removeAll(keepingCapacity: true)
            }
        }

        while i + 1 < hi {
            if b[i] == ASCII.equals, b[i + 1] == ASCII.question, !unterminated,
               let word = parseWord(b, at: i, end: hi, unterminated: &unterminated) {
                var onlySpace = true
                var k = literalStart
                while k < i { if !isSpaceOrNewline(b[k]) { onlySpace = false; break }; k += 1 }
                if pendingCharset != nil && onlySpace {
                    // whitespace between encoded-words is not displayed
                } else {
                    flushPending()
                    if literalStart < i { out += Charsets.decodeFallback(Bytes(rebasing: b[literalStart..<i])) }
                }
                if let cs = pendingCharset, !sameCharset(b, cs, word.charset) { flushPending() }
                if pendingCharset == nil { pendingCharset = word.charset }
                pendingBytes.append(contentsOf: word.bytes)
                i = word.end
                literalStart = i
                continue
            }
            i += 1
        }
        flushPending()
        if literalStart < hi { out += Charsets.decodeFallback(Bytes(rebasing: b[literalStart..<hi])) }
        return out
    }

    private static func sameCharset(_ b: Bytes, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        guard x.count == y.count else { return false }
        var i = 0
        while i < x.count {
            if lowerASCII(b[x.lowerBound + i]) != lowerASCII(b[y.lowerBound + i]) { return false }
            i += 1
        }
        return true
    }

    /// Parses an encoded-word starting at `at` ("=?"), or nil if it is not one.
    /// Encoded text longer than this is not an encoded-word (RFC 2047 allows 75 bytes in all;
    /// broken mailers go further, but not this far). Bounds the work on hostile input.
    private static let maxEncodedText = 2048

    private static func parseWord(_ b: Bytes, at: Int, end: Int, unterminated: inout Bool) -> Word? {
        var j = at + 2
        let csStart = j
        while j < end, j - csStart <= 64 {
            let c = b[j]
            if c == ASCII.question { break }
            if c <= ASCII.space || c >= 0x7F { return nil }
            j += 1
        }
        guard j < end, b[j] == ASCII.question, j > csStart else { return nil }
        let csEnd = j
        guard j + 2 < end, b[j + 2] == ASCII.question else { return nil }
        let enc = lowerASCII(b[j + 1])
        guard enc == UInt8(ascii: "b") || enc == UInt8(ascii: "q") else { return nil }
        let textStart = j + 3
        var k = textStart
        var textEnd = -1
        let limit = min(end, textStart + maxEncodedText)
        while k + 1 < limit {
            if b[k] == ASCII.question && b[k + 1] == ASCII.equals { textEnd = k; break }
            if b[k] == ASCII.lf || b[k] == ASCII.cr { return nil }
            k += 1
        }
        guard textEnd >= textStart else {
            if limit == end { unterminated = true }
            return nil
        }
        let bytes = enc == UInt8(ascii: "b")
            ? TransferDecoding.base64(b, textStart..<textEnd)
            : TransferDecoding.qEncoding(b, textStart..<textEnd)
        return Word(charset: csStart..<csEnd, bytes: bytes, end: textEnd + 2)
    }
}
