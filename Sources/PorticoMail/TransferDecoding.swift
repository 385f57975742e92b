/// Content-Transfer-Encoding decoders (RFC 2045), lenient the way mail readers are:
/// base64 skips whitespace and junk and tolerates missing padding; quoted-printable keeps
/// bad escapes literally. Both work on raw bytes and never fail.
enum TransferEncoding: Equatable {
    case identity // 7bit, 8bit, binary, absent or unknown
    case base64
    case quotedPrintable

    init(_ b: Bytes, _ range: Range<Int>?) {
        guard let range else { self = .identity; return }
        let r = b.trimmed(range)
        if b.equalsIgnoringCase(r, "base64") {
            self = .base64
        } else if b.equalsIgnoringCase(r, "quoted-printable") {
            self = .quotedPrintable
        } else {
            self = .identity
        }
    }
}

enum TransferDecoding {
    /// Decodes `range` of `b` with `encoding`.
    static func decode(_ b: Bytes, _ range: Range<Int>, _ encoding: TransferEncoding) -> [UInt8] {
        let lo = max(0, min(range.lowerBound, b.count))
        let hi = max(lo, min(range.upperBound, b.count))
        switch encoding {
        case .identity: return Array(b[lo..<hi])
        case .base64: return base64(b, lo..<hi)
        case .quotedPrintable: return quotedPrintable(b, lo..<hi)
        }
    }

    /// 0...63 for base64 alphabet bytes, 64 for "=", 255 for everything else.
    private static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 255, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "-"))] = 62 // base64url, seen in the wild
        t[Int(UInt8(ascii: "_"))] = 63
        t[Int(UInt8(ascii: "="))] = 64
        return t
    }()

    static func base64(_ b: Bytes, _ range: Range<Int>) -> [UInt8] {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        guard lo < hi else { return [] }
        let capacity = (hi - lo) / 4 * 3 + 3
        return base64Table.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
                var o = 0
                var acc: UInt32 = 0
                var n = 0
                var i = lo
                while i < hi {
                    let v = table[Int(b[i])]
                    i += 1
                    if v < 64 {
                        acc = (acc << 6) | UInt32(v)
                        n += 1
                        if n == 4 {
                            out[o] = UInt8(truncatingIfNeeded: acc >> 16)
                            out[o + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                            out[o + 2] = UInt8(truncatingIfNeeded: acc)
                            o += 3
                            acc = 0
                            n = 0
                        }
                    } else if v == 64 {
                        // Padding: flush a partial group (also handles concatenated base64 blocks).
                        if n == 2 {
                            out[o] = UInt8(truncatingIfNeeded: acc >> 4); o += 1
                        } else if n == 3 {
                            out[o] = UInt8(truncatingIfNeeded: acc >> 10)
                            out[o + 1] = UInt8(truncatingIfNeeded: acc >> 2); o += 2
                        }
                        acc = 0
                        n = 0
                    }
                }
                if n == 2 {
                    out[o] = UInt8(truncatingIfNeeded: acc >> 4); o += 1
                } else if n == 3 {
                    out[o] = UInt8(truncatingIfNeeded: acc >> 10)
                    out[o + 1] = UInt8(truncatingIfNeeded: acc >> 2); o += 2
                }
                count = o
            }
        }
    }

    static func quotedPrintable(_ b: Bytes, _ range: Range<Int>) -> [UInt8] {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        guard lo < hi else { return [] }
        // Fast path: nothing to decode.
        if b.index(of: ASCII.equals, from: lo, to: hi) == nil { return stripTrailingLineWhitespace(b, lo..<hi) }
        return [UInt8](unsafeUninitializedCapacity: hi - lo) { out, count in
            var o = 0
            var lineStartOut = 0
            var i = lo
            while i < hi {
                let c = b[i]
                if c == ASCII.equals {
                    if i + 2 < hi, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                        out[o] = h << 4 | l; o += 1
                        i += 3
                        continue
                    }
                    // Soft line break: "=" [whitespace] (CR)LF, or "=" at the very end.
                    var j = i + 1
                    while j < hi, isWSP(b[j]) { j += 1 }
                    if j >= hi {
                        i = hi
                        continue
                    }
                    if b[j] == ASCII.lf {
                        i = j + 1
                        continue
                    }
                    if b[j] == ASCII.cr {
                        i = (j + 1 < hi && b[j + 1] == ASCII.lf) ? j + 2 : j + 1
                        continue
                    }
                    out[o] = c; o += 1 // bad escape: keep literally
                    i += 1
                } else if c == ASCII.lf || c == ASCII.cr {
                    // Transport may add trailing whitespace: RFC 2045 says delete it.
                    while o > lineStartOut, isWSP(out[o - 1]) { o -= 1 }
                    out[o] = c; o += 1
                    if c == ASCII.lf { lineStartOut = o }
                    i += 1
                } else {
                    out[o] = c; o += 1
                    i += 1
                }
            }
            count = o
        }
    }

    /// Quoted-printable without escapes: only trailing whitespace on lines goes.
    private static func stripTrailingLineWhitespace(_ b: Bytes, _ range: Range<Int>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(range.count)
        var lineStartOut = 0
        for i in range {
            let c = b[i]
            if c == ASCII.lf || c == ASCII.cr {
                while out.count > lineStartOut, let last = out.last, isWSP(last) { out.removeLast() }
                out.append(c)
                if c == ASCII.lf { lineStartOut = out.count }
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// RFC 2047 "Q" encoding: like quoted-printable, and "_" means space.
    static func qEncoding(_ b: Bytes, _ range: Range<Int>) -> [UInt8] {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        var out = [UInt8]()
        out.reserveCapacity(max(0, hi - lo))
        var i = lo
        while i < hi {
            let c = b[i]
            if c == ASCII.underscore {
                out.append(ASCII.space); i += 1
            } else if c == ASCII.equals, i + 2 < hi, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(c); i += 1
            }
        }
        return out
    }
}
