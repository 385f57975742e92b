import Foundation

/// Date and size texts for pages, feeds and sitemaps. Calendar maths in UTC, no formatter
/// objects, so it is cheap and safe to call from any thread.
enum Formatting {
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    private static func parts(_ date: Date) -> tm {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var result = tm()
        gmtime_r(&time, &result)
        return result
    }

    /// "12,345"
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// "23 November 2026"
    static func day(_ date: Date) -> String {
        let p = parts(date)
        var text = ""
        text.reserveCapacity(20)
        text += String(p.tm_mday)
        text += " "
        text += months[Int(p.tm_mon)]
        text += " "
        text += String(p.tm_year + 1900)
        return text
    }

    /// "23 November 2026, 14:30"
    static func dayAndTime(_ date: Date) -> String {
        let p = parts(date)
        return "\(day(date)), \(two(p.tm_hour)):\(two(p.tm_min))"
    }

    /// "2026-11-23T14:30:00Z" (RFC 3339, for Atom, sitemaps and `<time>`). Written digit by
    /// digit: listings format several dates per item, and interpolating small strings was
    /// 4 % of an uncached page.
    static func iso(_ date: Date) -> String {
        let p = parts(date)
        let year = Int(p.tm_year) + 1900
        guard (0...9999).contains(year) else {
            return "\(year)-\(two(p.tm_mon + 1))-\(two(p.tm_mday))T\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec))Z"
        }
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ value: Int, at index: Int, digits: Int) {
                var value = value
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, at: 0, digits: 4)
            buffer[4] = UInt8(ascii: "-")
            put(Int(p.tm_mon) + 1, at: 5, digits: 2)
            buffer[7] = UInt8(ascii: "-")
            put(Int(p.tm_mday), at: 8, digits: 2)
            buffer[10] = UInt8(ascii: "T")
            put(Int(p.tm_hour), at: 11, digits: 2)
            buffer[13] = UInt8(ascii: ":")
            put(Int(p.tm_min), at: 14, digits: 2)
            buffer[16] = UInt8(ascii: ":")
            put(Int(p.tm_sec), at: 17, digits: 2)
            buffer[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// "Mon, 23 Nov 2026 14:30:00 GMT" (HTTP dates).
    static func http(_ date: Date) -> String {
        let p = parts(date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        return "\(days[Int(p.tm_wday)]), \(two(p.tm_mday)) \(months[Int(p.tm_mon)].prefix(3)) \(p.tm_year + 1900) \(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec)) GMT"
    }

    /// "2026-11-23T14:30", the value of an `<input type="datetime-local">` (UTC).
    static func dateTimeLocal(_ date: Date) -> String {
        String(iso(date).prefix(16))
    }

    /// Parses "2026-11-23T14:30", "2026-11-23 14:30" (seconds optional) or "2026-11-23" as UTC.
    static func parseDateTimeLocal(_ text: String) -> Date? {
        let normalized = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        let parts = normalized.split(separator: "T", maxSplits: 1)
        let day = parts[0].split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard day.count == 3, (1...9999).contains(day[0]), (1...12).contains(day[1]), (1...31).contains(day[2]) else { return nil }
        var time = [0, 0, 0]
        if parts.count == 2 {
            let pieces = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (2...3).contains(pieces.count), pieces.allSatisfy({ $0 != nil }) else { return nil }
            for (index, value) in pieces.enumerated() { time[index] = value! }
            guard (0...23).contains(time[0]), (0...59).contains(time[1]), (0...59).contains(time[2]) else { return nil }
        }
        var components = DateComponents()
        components.year = day[0]
        components.month = day[1]
        components.day = day[2]
        components.hour = time[0]
        components.minute = time[1]
        components.second = time[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day[2] else { return nil }
        return date
    }

    /// "1.2 MB"
    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Escapes text for XML element content and attribute values.
    static func xml(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default:
                // Characters XML 1.0 forbids are dropped.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Percent-encodes one URL path segment (slugs are already safe; file names may not be).
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "file"
    }
}
