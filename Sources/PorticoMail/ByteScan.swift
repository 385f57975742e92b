import Foundation

/// A read-only view of message bytes. The parser works on raw bytes (not `String`s)
/// because mail is bytes in unknown charsets and because it is much faster.
typealias Bytes = UnsafeBufferPointer<UInt8>

/// ASCII byte values the parsers look for.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let percent: UInt8 = 0x25
    static let amp: UInt8 = 0x26
    static let apostrophe: UInt8 = 0x27
    static let lparen: UInt8 = 0x28
    static let rparen: UInt8 = 0x29
    static let star: UInt8 = 0x2A
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lt: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let gt: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let backslash: UInt8 = 0x5C
    static let underscore: UInt8 = 0x5F
}

@inline(__always) func isWSP(_ b: UInt8) -> Bool { b == ASCII.space || b == ASCII.tab }
@inline(__always) func isSpaceOrNewline(_ b: UInt8) -> Bool {
    b == ASCII.space || b == ASCII.tab || b == ASCII.lf || b == ASCII.cr
}
@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
@inline(__always) func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
@inline(__always) func lowerASCII(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

/// The value of a hexadecimal digit, or nil.
@inline(__always) func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b &- 0x30
    case 0x41...0x46: return b &- 0x37
    case 0x61...0x66: return b &- 0x57
    default: return nil
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Index of the first `byte` in `from..<to` (clamped to the buffer), using memchr.
    @inline(__always)
    func index(of byte: UInt8, from: Int, to: Int) -> Int? {
        let lo = Swift.max(from, 0)
        let hi = Swift.min(to, count)
        guard lo < hi, let base = baseAddress else { return nil }
        guard let found = memchr(base + lo, Int32(byte), hi - lo) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    /// `range` without leading and trailing spaces, tabs, CRs and LFs.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lo = Swift.max(range.lowerBound, 0)
        var hi = Swift.min(range.upperBound, count)
        while lo < hi, isSpaceOrNewline(self[lo]) { lo += 1 }
        while hi > lo, isSpaceOrNewline(self[hi - 1]) { hi -= 1 }
        return lo..<Swift.max(lo, hi)
    }

    /// Whether the bytes at `range` equal the lowercase ASCII `literal`, ignoring ASCII case.
    func equalsIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard range.count == n, range.lowerBound >= 0, range.upperBound <= count else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < n {
            if lowerASCII(self[range.lowerBound + i]) != lit[i] { return false }
            i += 1
        }
        return true
    }

    /// Whether the bytes starting at `at` (and before `end`) begin with the lowercase ASCII `literal`, ignoring case.
    func hasPrefixIgnoringCase(at: Int, end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard at >= 0, at + n <= Swift.min(end, count) else { return false }
        let lit = literal.utf8Start
        var i = 0
        while i < n {
            if lowerASCII(self[at + i]) != lit[i] { return false }
            i += 1
        }
        return true
    }

    /// Lowercased ASCII string of `range` (other bytes kept as Latin-1/UTF-8 via the fallback decoder).
    func lowercasedString(_ range: Range<Int>) -> String {
        let r = trimmed(range)
        var out = [UInt8]()
        out.reserveCapacity(r.count)
        for i in r { out.append(lowerASCII(self[i])) }
        return Charsets.decodeFallback(out)
    }
}

extension Array where Element == UInt8 {
    /// Runs `body` on the array's bytes as a `Bytes` buffer; typed throws pass through.
    @inline(__always)
    func withBytes<R, E: Error>(_ body: (Bytes) throws(E) -> R) throws(E) -> R {
        try withUnsafeBufferPointer { (buf: Bytes) throws(E) -> R in try body(buf) }
    }
}

/// Removes CR and LF bytes (header unfolding: a fold is a line break followed by whitespace,
/// and unfolding deletes the line break) and trims surrounding whitespace.
func unfold(_ b: Bytes, _ range: Range<Int>) -> [UInt8] {
    let r = b.trimmed(range)
    var out = [UInt8]()
    out.reserveCapacity(r.count)
    for i in r {
        let c = b[i]
        if c != ASCII.cr && c != ASCII.lf { out.append(c) }
    }
    return out
}

/// Collapses runs of ASCII whitespace (space, tab, CR, LF) into one space and trims the ends.
func collapseWhitespace(_ s: String) -> String {
    var s = s
    return s.withUTF8 { b -> String? in
        var needs = false
        var prevSpace = true
        for c in b {
            if c == ASCII.tab || c == ASCII.cr || c == ASCII.lf { needs = true; break }
            if c == ASCII.space {
                if prevSpace { needs = true; break }
                prevSpace = true
            } else {
                prevSpace = false
            }
        }
        if !needs && (!prevSpace || b.isEmpty) { return nil }
        return String(unsafeUninitializedCapacity: b.count) { out in
            var o = 0
            var pendingSpace = false
            for c in b {
                if isSpaceOrNewline(c) {
                    pendingSpace = o > 0
                } else {
                    if pendingSpace { out[o] = ASCII.space; o += 1; pendingSpace = false }
                    out[o] = c; o += 1
                }
            }
            return o
        }
    } ?? s
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Index of the first `i` in `from..<to-1` where `self[i] == first` and `self[i + 1]` is
    /// `second` or `alternative`. Compares 16 bytes at a time, so it stays fast where the first
    /// byte is common ("\n").
    func index(ofPair first: UInt8, _ second: UInt8, or alternative: UInt8? = nil, from: Int, to: Int) -> Int? {
        var i = Swift.max(from, 0)
        let n = Swift.min(to, count)
        guard let base = baseAddress, i + 1 < n else { return nil }
        let raw = UnsafeRawPointer(base)
        let p1 = SIMD16<UInt8>(repeating: first)
        let p2 = SIMD16<UInt8>(repeating: second)
        let p3 = SIMD16<UInt8>(repeating: alternative ?? second)
        let alt = alternative ?? second
        while i + 17 <= n {
            let v1 = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            let v2 = raw.loadUnaligned(fromByteOffset: i + 1, as: SIMD16<UInt8>.self)
            if any((v1 .== p1) .& ((v2 .== p2) .| (v2 .== p3))) { break }
            i += 16
        }
        while i + 1 < n {
            if self[i] == first {
                let next = self[i + 1]
                if next == second || next == alt { return i }
            }
            i += 1
        }
        return nil
    }
}
