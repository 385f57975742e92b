import Foundation

/// One request as the access log records it.
///
/// Only what is safe to keep: the target's query string is dropped (a `?token=` or a login
/// form sent by GET would otherwise end up in the log) and only flagged as `query=1`; headers,
/// cookies and bodies are never seen here.
public struct AccessLogEntry: Sendable, Equatable {
    /// What the response cache did for the request (the `X-Cache` header, simplified).
    public enum CacheResult: String, Sendable, Equatable {
        case hit = "HIT"
        case miss = "MISS"
        case stale = "STALE"
        /// Not a cacheable request (editor, POST, blob, logged-in user, cache off).
        case pass = "PASS"
        /// Refused by overload protection: the panic page.
        case shed = "SHED"

        /// Reads the `X-Cache` header CacheMiddleware sets ("HIT", "STALE", "MISS, SHARED", …).
        public init(xCache: String?) {
            guard let value = xCache else { self = .pass; return }
            if value.hasPrefix("HIT") {
                self = .hit
            } else if value.hasPrefix("MISS") {
                self = .miss
            } else if value.hasPrefix("STALE") {
                self = .stale
            } else if value.hasPrefix("SHED") {
                self = .shed
            } else {
                self = .pass
            }
        }
    }

    public var requestID: String
    public var site: String?
    public var method: String
    /// The request target as received (path and query); only the path is written.
    public var target: String
    public var status: Int
    /// From the request's arrival to the response head being ready (a streamed body, such as
    /// a large blob, is not included).
    public var nanoseconds: UInt64
    public var cache: CacheResult
    public var user: String?

    public init(requestID: String, site: String?, method: String, target: String, status: Int, nanoseconds: UInt64, cache: CacheResult, user: String?) {
        self.requestID = requestID
        self.site = site
        self.method = method
        self.target = target
        self.status = status
        self.nanoseconds = nanoseconds
        self.cache = cache
        self.user = user
    }
}

/// The line format, built straight into bytes: at tens of thousands of lines a second, and on
/// the event loop for cache hits, a line should cost about a microsecond, so no date formatter,
/// no lock and no intermediate strings.
extension AccessLog {
    /// Paths longer than this are cut: a log line stays a line.
    static let maximumPathBytes = 512

    /// The logfmt line for `entry`, ending with a newline.
    static func line(_ entry: AccessLogEntry, at date: Date) -> [UInt8] {
        let target = entry.target.utf8
        let queryStart = target.firstIndex(of: UInt8(ascii: "?"))
        var path = target[..<(queryStart ?? target.endIndex)]
        if path.count > maximumPathBytes {
            var end = path.index(path.startIndex, offsetBy: maximumPathBytes)
            // Back off to a character boundary (never before the first byte).
            while end > path.startIndex, target[end] & 0xC0 == 0x80 { end = target.index(before: end) }
            path = target[path.startIndex..<end]
        }
        var line: [UInt8] = []
        line.reserveCapacity(160 + path.count)
        append("ts=", to: &line)
        appendTimestamp(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), to: &line)
        append(" id=", to: &line)
        appendValue(entry.requestID.utf8, to: &line)
        append(" site=", to: &line)
        appendValue((entry.site ?? "-").utf8, to: &line)
        append(" method=", to: &line)
        appendValue(entry.method.utf8, to: &line)
        append(" path=", to: &line)
        appendValue(path, to: &line)
        if queryStart != nil { append(" query=1", to: &line) }
        append(" status=", to: &line)
        appendNumber(UInt64(max(0, entry.status)), width: 1, to: &line)
        append(" ms=", to: &line)
        let micros = entry.nanoseconds / 1_000
        appendNumber(micros / 1_000, width: 1, to: &line)
        line.append(UInt8(ascii: "."))
        appendNumber(micros % 1_000, width: 3, to: &line)
        append(" cache=", to: &line)
        append(entry.cache.rawValue, to: &line)
        append(" user=", to: &line)
        appendValue((entry.user ?? "-").utf8, to: &line)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private static func append(_ text: String, to line: inout [UInt8]) {
        line.append(contentsOf: text.utf8)
    }

    /// Appends a logfmt value, quoted and escaped when it holds a space, a quote, an equals
    /// sign, a backslash or a control character (so a crafted path cannot forge fields or lines).
    static func appendValue<Bytes: Collection<UInt8>>(_ value: Bytes, to line: inout [UInt8]) {
        let plain = !value.isEmpty && !value.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F }
        guard !plain else {
            line.append(contentsOf: value)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                line.append(UInt8(ascii: "\\"))
                line.append(byte)
            case UInt8(ascii: "\n"): append("\\n", to: &line)
            case UInt8(ascii: "\r"): append("\\r", to: &line)
            case UInt8(ascii: "\t"): append("\\t", to: &line)
            case 0..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                append("\\x", to: &line)
                line.append(hex[Int(byte >> 4)])
                line.append(hex[Int(byte & 0x0F)])
            default:
                line.append(byte)  // including UTF-8 beyond ASCII
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// Appends `value` in decimal, zero-padded to `width` digits.
    static func appendNumber(_ value: UInt64, width: Int, to line: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count < min(width, buffer.count) {
                buffer[count] = UInt8(ascii: "0")
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { line.append(buffer[index]) }
        }
    }

    /// RFC 3339 UTC with milliseconds ("2025-11-23T05:05:05.123Z"), computed without a
    /// formatter or a lock (days to civil date: Howard Hinnant's algorithm).
    static func appendTimestamp(millisecondsSince1970 ms: Int64, to line: inout [UInt8]) {
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = ms - seconds * 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        appendNumber(UInt64(max(0, year)), width: 4, to: &line)
        line.append(UInt8(ascii: "-"))
        appendNumber(UInt64(month), width: 2, to: &line)
        line.append(UInt8(ascii: "-"))
        appendNumber(UInt64(day), width: 2, to: &line)
        line.append(UInt8(ascii: "T"))
        appendNumber(UInt64(secondOfDay / 3_600), width: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        appendNumber(UInt64(secondOfDay / 60 % 60), width: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        appendNumber(UInt64(secondOfDay % 60), width: 2, to: &line)
        line.append(UInt8(ascii: "."))
        appendNumber(UInt64(millis), width: 3, to: &line)
        line.append(UInt8(ascii: "Z"))
    }
}
