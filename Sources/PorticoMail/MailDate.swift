import Foundation

/// Parses Date: headers as found in real archives, by hand (DateFormatter is slow and strict).
///
/// Accepts RFC 5322 dates and the sloppy variants: missing weekday, 2- and 3-digit years,
/// named zones (GMT, UT, EST, CET, ...), "(comments)", extra spaces, missing seconds,
/// asctime order ("Mon Jan  2 15:04:05 2006"), ISO 8601, and "+hh:mm" offsets. The result is
/// the instant in UTC; an unknown zone name counts as UTC.
enum MailDate {
    private enum Token {
        case number(Int, digits: Int)
        /// Up to eight lowercase letters packed into an integer, first letter in the high byte.
        case word(UInt64)
        case plus, minus, colon, dot, slash
    }

    static func parse(_ s: String) -> Date? {
        let bytes = Array(s.utf8)
        return bytes.withBytes { parse($0, 0..<$0.count) }
    }

    static func parse(_ b: Bytes, _ range: Range<Int>) -> Date? {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        var tokens = [Token]()
        tokens.reserveCapacity(16)
        var i = lo
        while i < hi, tokens.count < 40 {
            let c = b[i]
            if isDigit(c) {
                var v = 0
                var d = 0
                while i < hi, isDigit(b[i]) {
                    if d < 9 { v = v * 10 + Int(b[i] - 0x30) }
                    d += 1
                    i += 1
                }
                tokens.append(.number(v, digits: d))
            } else if isAlpha(c) {
                var w: UInt64 = 0
                var len = 0
                while i < hi, isAlpha(b[i]) {
                    if len < 8 { w = w << 8 | UInt64(lowerASCII(b[i])) }
                    len += 1
                    i += 1
                }
                tokens.append(.word(w)) // longer words keep their first eight letters
            } else if c == ASCII.lparen {
                var depth = 0
                while i < hi {
                    if b[i] == ASCII.lparen { depth += 1 } else if b[i] == ASCII.rparen {
                        depth -= 1
                        if depth == 0 { i += 1; break }
                    }
                    i += 1
                }
            } else {
                switch c {
                case ASCII.plus: tokens.append(.plus)
                case ASCII.minus: tokens.append(.minus)
                case ASCII.colon: tokens.append(.colon)
                case ASCII.dot: tokens.append(.dot)
                case ASCII.slash: tokens.append(.slash)
                default: break
                }
                i += 1
            }
        }
        return interpret(tokens)
    }

    private static func number(_ t: [Token], _ i: Int) -> (Int, Int)? {
        guard i >= 0, i < t.count, case .number(let v, let d) = t[i] else { return nil }
        return (v, d)
    }

    private static func isColon(_ t: [Token], _ i: Int) -> Bool {
        guard i < t.count, case .colon = t[i] else { return false }
        return true
    }

    private static func isDateSeparator(_ t: [Token], _ i: Int) -> Bool {
        guard i < t.count else { return false }
        switch t[i] {
        case .minus, .slash, .dot: return true
        default: return false
        }
    }

    private static func interpret(_ t: [Token]) -> Date? {
        var day: Int? = nil, month: Int? = nil, year: Int? = nil
        var hour: Int? = nil, minute = 0, second = 0
        var offset: Int? = nil      // numeric zone, seconds east of UTC
        var namedOffset: Int? = nil
        var pm: Bool? = nil
        var i = 0
        while i < t.count {
            switch t[i] {
            case .number(let v, let d):
                // hh:mm[:ss[.fff]]
                if hour == nil, isColon(t, i + 1), let (m, _) = number(t, i + 2) {
                    hour = v
                    minute = m
                    i += 3
                    if isColon(t, i), let (s, _) = number(t, i + 1) {
                        second = s
                        i += 2
                        if i < t.count, case .dot = t[i], number(t, i + 1) != nil { i += 2 }
                    }
                    continue
                }
                // ISO 8601 date yyyy-mm-dd (also yyyy/mm/dd)
                if d == 4, year == nil, isDateSeparator(t, i + 1), let (m, _) = number(t, i + 2),
                   isDateSeparator(t, i + 3), let (dd, _) = number(t, i + 4) {
                    year = v
                    month = m
                    day = dd
                    i += 5
                    continue
                }
                if d >= 3 || v > 31 {
                    if year == nil { year = d == 3 ? v + 1900 : v }
                } else if day == nil {
                    day = v
                } else if year == nil {
                    year = v < 50 ? v + 2000 : v + 1900
                }
                i += 1
            case .word(let w):
                if let m = monthNumber(w) {
                    if month == nil { month = m }
                } else if w == Self.am || w == Self.pm {
                    pm = (w == Self.pm)
                } else if let z = Self.zones[w] {
                    if namedOffset == nil { namedOffset = z }
                }
                i += 1
            case .plus, .minus:
                let sign = { if case .minus = t[i] { return -1 } else { return 1 } }()
                if hour != nil || (day != nil && month != nil && year != nil), let (v, d) = number(t, i + 1) {
                    var zh = 0, zm = 0
                    var used = 2
                    if d == 4 || d == 3 {
                        zh = v / 100; zm = v % 100
                    } else if d <= 2 {
                        zh = v
                        if isColon(t, i + 2), let (m, _) = number(t, i + 3) { zm = m; used = 4 }
                    } else {
                        i += 2
                        continue
                    }
                    if zh <= 23 && zm <= 59 && offset == nil { offset = sign * (zh * 3600 + zm * 60) }
                    i += used
                    continue
                }
                i += 1
            default:
                i += 1
            }
        }
        guard let day, let month, var year else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        var h = hour ?? 0
        if let pm {
            if pm && h < 12 { h += 12 } else if !pm && h == 12 { h = 0 }
        }
        guard (1...12).contains(month), (1...31).contains(day), (1...9999).contains(year),
              (0...24).contains(h), (0...59).contains(minute), (0...61).contains(second) else { return nil }
        let zone = offset ?? namedOffset ?? 0
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + h * 3600 + minute * 60 + min(second, 59) - zone
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Packs a lowercase ASCII word like the tokenizer does.
    private static func pack(_ word: String) -> UInt64 {
        word.utf8.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static let am = pack("am")
    private static let pm = pack("pm")

    /// Month from a word of at least three letters ("Jan", "January", "Sept", German "Okt", "Dez").
    private static func monthNumber(_ w: UInt64) -> Int? {
        guard w >= 1 << 16 else { return nil }
        // The first three letters: shift the packed word right until three bytes remain.
        var first3 = w
        while first3 >= 1 << 24 { first3 >>= 8 }
        return months[first3]
    }

    private static let months: [UInt64: Int] = {
        var m = [UInt64: Int]()
        let names = [("jan", 1), ("feb", 2), ("mar", 3), ("mrz", 3), ("apr", 4), ("may", 5), ("mai", 5), ("jun", 6),
                     ("jul", 7), ("aug", 8), ("sep", 9), ("oct", 10), ("okt", 10), ("nov", 11), ("dec", 12), ("dez", 12)]
        for (name, number) in names { m[pack(name)] = number }
        return m
    }()

    /// Zone names seen in mail, in seconds east of UTC. Unknown names count as UTC.
    private static let zones: [UInt64: Int] = {
        let h = 3600
        let table: [(String, Int)] = [
            ("ut", 0), ("utc", 0), ("gmt", 0), ("z", 0), ("wet", 0), ("zulu", 0),
            ("est", -5 * h), ("edt", -4 * h), ("cst", -6 * h), ("cdt", -5 * h), ("mst", -7 * h), ("mdt", -6 * h),
            ("pst", -8 * h), ("pdt", -7 * h), ("akst", -9 * h), ("akdt", -8 * h), ("hst", -10 * h),
            ("ast", -4 * h), ("adt", -3 * h), ("nst", -(3 * h + 1800)), ("ndt", -(2 * h + 1800)),
            ("bst", h), ("west", h), ("cet", h), ("met", h), ("mez", h), ("wat", h),
            ("cest", 2 * h), ("mest", 2 * h), ("mesz", 2 * h), ("eet", 2 * h), ("sast", 2 * h), ("cat", 2 * h),
            ("eest", 3 * h), ("msk", 3 * h), ("eat", 3 * h), ("idt", 3 * h), ("ist", 5 * h + 1800),
            ("ict", 7 * h), ("wib", 7 * h), ("hkt", 8 * h), ("sgt", 8 * h), ("awst", 8 * h), ("pht", 8 * h),
            ("jst", 9 * h), ("kst", 9 * h), ("acst", 9 * h + 1800), ("aest", 10 * h), ("acdt", 10 * h + 1800),
            ("aedt", 11 * h), ("nzst", 12 * h), ("nzdt", 13 * h),
        ]
        var z = [UInt64: Int]()
        for (name, offset) in table { z[pack(name)] = offset }
        return z
    }()

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
