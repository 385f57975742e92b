import Foundation
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// Turns bytes in a declared charset into a `String`, never failing.
///
/// Mail declares charsets loosely and often lies, so: UTF-8, ASCII and Latin-1/Windows-1252
/// are decoded here directly (fast and the vast majority of mail); every other charset goes
/// through Foundation's converters (CoreFoundation's IANA name table); anything unknown or
/// undecodable falls back to UTF-8 (with replacement characters when it is mostly UTF-8),
/// then Windows-1252 (Latin-1 whose C1 range holds curly quotes, as browsers do).
enum Charsets {
    /// Decodes `bytes` declared as `charset` (nil or empty: undeclared).
    static func decode(_ bytes: Bytes, charset: String?) -> String {
        switch classify(charset) {
        case .utf8OrUnknown:
            return decodeFallback(bytes)
        case .windows1252:
            return decodeWindows1252(bytes)
        case .eucJP:
            if let s = decodeEUCJP(bytes) { return s }
            return decodeFallback(bytes)
        case .foundation(let raw):
            // ASCII reads the same in every ASCII-compatible charset; ESC means ISO-2022 escapes.
            if raw != utf16Raw && raw != utf32Raw && isASCII(bytes) && bytes.index(of: 0x1B, from: 0, to: bytes.count) == nil {
                return String(decoding: bytes, as: UTF8.self)
            }
            if let s = String(bytes: bytes, encoding: String.Encoding(rawValue: raw)) { return s }
            return decodeFallback(bytes)
        }
    }

    static func decode(_ bytes: [UInt8], charset: String?) -> String {
        bytes.withBytes { decode($0, charset: charset) }
    }

    /// Undeclared or unknown charset: UTF-8 if valid; UTF-8 with replacement characters when
    /// it is mostly UTF-8 with a few broken bytes; otherwise Windows-1252 (Latin-1).
    static func decodeFallback(_ bytes: Bytes) -> String {
        if isValidUTF8(bytes) || mostlyUTF8(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return decodeWindows1252(bytes)
    }

    /// Strict UTF-8 validation (no overlongs, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ b: Bytes) -> Bool {
        var i = 0
        let n = b.count
        guard let base = b.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        while i < n {
            // Skip ASCII eight bytes at a time.
            while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { return true }
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            if c < 0xC2 { return false }
            if c < 0xE0 {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if c < 0xF0 {
                guard i + 2 < n else { return false }
                let c1 = b[i + 1], c2 = b[i + 2]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80 else { return false }
                if c == 0xE0 && c1 < 0xA0 { return false }
                if c == 0xED && c1 >= 0xA0 { return false }
                i += 3
            } else if c < 0xF5 {
                guard i + 3 < n else { return false }
                let c1 = b[i + 1], c2 = b[i + 2], c3 = b[i + 3]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80, c3 & 0xC0 == 0x80 else { return false }
                if c == 0xF0 && c1 < 0x90 { return false }
                if c == 0xF4 && c1 >= 0x90 { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    static func decodeFallback(_ bytes: [UInt8]) -> String {
        bytes.withBytes { decodeFallback($0) }
    }

    static func isASCII(_ bytes: Bytes) -> Bool {
        var i = 0
        let n = bytes.count
        // Eight bytes at a time.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
        }
        while i < n {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Counts well-formed multi-byte UTF-8 sequences against malformed bytes.
    static func mostlyUTF8(_ b: Bytes) -> Bool {
        var good = 0
        var bad = 0
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var len = 0
            if c & 0xE0 == 0xC0 && c >= 0xC2 { len = 2 } else if c & 0xF0 == 0xE0 { len = 3 } else if c & 0xF8 == 0xF0 && c <= 0xF4 { len = 4 }
            var ok = len > 0 && i + len <= n
            if ok {
                var k = 1
                while k < len {
                    if b[i + k] & 0xC0 != 0x80 { ok = false; break }
                    k += 1
                }
            }
            if ok { good += 1; i += len } else { bad += 1; i += 1 }
        }
        return good > 0 && good >= bad * 4
    }

    // MARK: Windows-1252 / Latin-1

    /// Unicode scalars for bytes 0x80...0x9F in Windows-1252 (undefined ones map to the C1 control).
    private static let cp1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func decodeWindows1252(_ b: Bytes) -> String {
        if isASCII(b) { return String(decoding: b, as: UTF8.self) }
        let n = b.count
        return cp1252High.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: n * 3) { out in
                var o = 0
                for c in b {
                    if c < 0x80 {
                        out[o] = c; o += 1
                    } else {
                        let u: UInt32 = (c < 0xA0) ? UInt32(table[Int(c) - 0x80]) : UInt32(c)
                        if u < 0x800 {
                            out[o] = UInt8(0xC0 | (u >> 6)); out[o + 1] = UInt8(0x80 | (u & 0x3F)); o += 2
                        } else {
                            out[o] = UInt8(0xE0 | (u >> 12)); out[o + 1] = UInt8(0x80 | ((u >> 6) & 0x3F))
                            out[o + 2] = UInt8(0x80 | (u & 0x3F)); o += 3
                        }
                    }
                }
                return o
            }
        }
    }

    /// The Windows-1252 mapping of one byte, for HTML numeric references in the C1 range.
    static func windows1252Scalar(_ c: UInt8) -> UInt32 {
        (c >= 0x80 && c < 0xA0) ? UInt32(cp1252High[Int(c) - 0x80]) : UInt32(c)
    }

    // MARK: EUC-JP

    /// EUC-JP is converted to Shift_JIS arithmetically (CoreFoundation on Linux lacks an EUC-JP
    /// decoder but has Shift_JIS). JIS X 0212 characters become a geta mark.
    static func decodeEUCJP(_ b: Bytes) -> String? {
        if isASCII(b) { return String(decoding: b, as: UTF8.self) }
        var sjis = [UInt8]()
        sjis.reserveCapacity(b.count)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                sjis.append(c); i += 1
            } else if c == 0x8E, i + 1 < n {
                sjis.append(b[i + 1]); i += 2 // half-width katakana: same byte in Shift_JIS
            } else if c == 0x8F, i + 2 < n {
                sjis.append(0x81); sjis.append(0xAC); i += 3 // 〓
            } else if c >= 0xA1, c <= 0xFE, i + 1 < n, b[i + 1] >= 0xA1, b[i + 1] <= 0xFE {
                let j1 = Int(c & 0x7F), j2 = Int(b[i + 1] & 0x7F)
                let s1 = ((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0)
                let s2: Int
                if j1 & 1 == 1 { s2 = j2 + (j2 >= 0x60 ? 0x20 : 0x1F) } else { s2 = j2 + 0x7E }
                sjis.append(UInt8(truncatingIfNeeded: s1)); sjis.append(UInt8(truncatingIfNeeded: s2))
                i += 2
            } else {
                return nil
            }
        }
        guard let enc = foundationEncoding("shift_jis") else { return nil }
        return String(bytes: sjis, encoding: String.Encoding(rawValue: enc))
    }

    // MARK: Charset names

    enum Kind: Equatable {
        case utf8OrUnknown
        case windows1252
        case eucJP
        case foundation(UInt)
    }

    private static let utf16Raw = String.Encoding.utf16.rawValue
    private static let utf32Raw = String.Encoding.utf32.rawValue

    static func classify(_ charset: String?) -> Kind {
        guard var charset, !charset.isEmpty else { return .utf8OrUnknown }
        // The common names, without allocating.
        let quick: Kind? = charset.withUTF8 { b in
            let all = 0..<b.count
            if b.equalsIgnoringCase(all, "utf-8") || b.equalsIgnoringCase(all, "us-ascii") { return .utf8OrUnknown }
            if b.equalsIgnoringCase(all, "iso-8859-1") || b.equalsIgnoringCase(all, "windows-1252") { return .windows1252 }
            return nil
        }
        if let quick { return quick }
        let name = normalize(charset)
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "iso-646-us", "us", "unknown",
             "unknown-8bit", "x-unknown", "default", "x-user-defined", "unicode-1-1-utf-8", "none", "cp65001":
            return .utf8OrUnknown
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819",
             "windows-1252", "cp1252", "x-cp1252", "ms-ansi", "iso_8859-1:1987", "8859-1", "iso8859_1", "ansi", "cp-1252", "win-1252":
            return .windows1252
        case "euc-jp", "x-euc-jp", "eucjp", "x-euc":
            return .eucJP
        default:
            let alias: String
            switch name {
            case "gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "csgb2312", "gb_2312-80", "chinese", "ms936", "windows-936":
                alias = "gb18030"
            case "ks_c_5601-1987", "ks_c_5601", "ksc5601", "cp949", "windows-949", "x-windows-949", "ksc_5601", "euc_kr":
                alias = "euc-kr"
            case "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932", "ms932", "x-ms-cp932":
                alias = "shift_jis"
            case "big5-hkscs", "x-x-big5", "cn-big5", "csbig5", "cp950", "big-5":
                alias = "big5"
            case "iso-8859-8-i", "iso-8859-8-e":
                alias = "iso-8859-8"
            case "ucs-2":
                alias = "utf-16"
            default:
                alias = name
            }
            if let raw = foundationEncoding(alias) { return .foundation(raw) }
            return .utf8OrUnknown
        }
    }

    /// Lowercased, unquoted, with an RFC 2231 language suffix ("utf-8*en") removed.
    static func normalize(_ charset: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(charset.utf8.count)
        for c in charset.utf8 {
            if c == ASCII.star { break }
            if c == ASCII.quote || c == ASCII.apostrophe || isSpaceOrNewline(c) { continue }
            out.append(lowerASCII(c))
        }
        // "iso8859-15" and "iso_8859-15" spellings.
        if out.count > 8, out[0] == 0x69, out[1] == 0x73, out[2] == 0x6F, out[3] == 0x38 { // "iso8..."
            out.insert(ASCII.minus, at: 3)
        } else if out.count > 8, out[0] == 0x69, out[1] == 0x73, out[2] == 0x6F, out[3] == ASCII.underscore {
            out[3] = ASCII.minus
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `String.Encoding` raw value Foundation uses for an IANA charset name, cached.
    static func foundationEncoding(_ name: String) -> UInt? {
        EncodingCache.shared.lookup(name)
    }
}

/// A lock-protected cache of charset name to `String.Encoding` raw value (nil: unsupported).
private final class EncodingCache: @unchecked Sendable {
    static let shared = EncodingCache()
    private let lock = NSLock()
    private var map: [String: UInt?] = [:]

    func lookup(_ name: String) -> UInt? {
        lock.lock()
        if let hit = map[name] { lock.unlock(); return hit }
        lock.unlock()
        let value = Self.resolve(name)
        lock.lock()
        if map.count < 512 { map[name] = value }
        lock.unlock()
        return value
    }

    private static func resolve(_ name: String) -> UInt? {
        #if canImport(CoreFoundation)
        let cfName = unsafeBitCast(NSString(string: name), to: CFString.self)
        let cf = CFStringConvertIANACharSetNameToEncoding(cfName)
        if cf == kCFStringEncodingInvalidId { return nil }
        let raw = CFStringConvertEncodingToNSStringEncoding(cf)
        if raw == UInt(kCFStringEncodingInvalidId) { return nil }
        return raw
        #else
        return String.Encoding(ianaName: name)?.rawValue
        #endif
    }
}
