/// A structured MIME header value such as Content-Type or Content-Disposition
/// ("text/plain; charset=utf-8"): the lowercased value and its parameters.
///
/// Parameters follow RFC 2045 (quoted or token values) plus RFC 2231 (charset'lang'%XX,
/// continuations name*0, name*1*) and tolerate RFC 2047 encoded-words in values and
/// unquoted values containing spaces.
struct MIMEHeaderValue {
    /// Lowercased, whitespace removed: "text/plain", "attachment".
    var value: String
    var parameters: [(name: String, value: String)]

    subscript(_ name: String) -> String? {
        for p in parameters where p.name == name { return p.value }
        return nil
    }

    /// The media type's top-level part and subtype.
    var type: Substring { value.split(separator: "/", maxSplits: 1).first ?? "" }

    init(value: String, parameters: [(name: String, value: String)] = []) {
        self.value = value
        self.parameters = parameters
    }

    private struct RawParameter {
        var name: String // without the section/star suffix, lowercased
        var section: Int // -1 when absent
        var extended: Bool
        var value: [UInt8]
    }

    /// Parses `b[range]` (a header value; may be folded).
    init(_ b: Bytes, _ range: Range<Int>) {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        var i = lo
        // The main value, up to ";".
        var main = [UInt8]()
        while i < hi, b[i] != ASCII.semicolon {
            let c = b[i]
            if c == ASCII.lparen { i = Self.skipComment(b, i, hi); continue }
            if !isSpaceOrNewline(c) && c != ASCII.quote { main.append(lowerASCII(c)) }
            i += 1
        }
        self.value = String(decoding: main, as: UTF8.self)
        var raw = [RawParameter]()
        while i < hi {
            // Skip separators.
            while i < hi, b[i] == ASCII.semicolon || isSpaceOrNewline(b[i]) { i += 1 }
            if i >= hi { break }
            var name = [UInt8]()
            while i < hi, b[i] != ASCII.equals, b[i] != ASCII.semicolon {
                if !isSpaceOrNewline(b[i]) { name.append(lowerASCII(b[i])) }
                i += 1
            }
            guard i < hi, b[i] == ASCII.equals else { continue } // a parameter without "=": skip it
            i += 1
            while i < hi, isSpaceOrNewline(b[i]) { i += 1 }
            var value = [UInt8]()
            if i < hi, b[i] == ASCII.quote {
                i += 1
                while i < hi, b[i] != ASCII.quote {
                    if b[i] == ASCII.backslash, i + 1 < hi { i += 1 }
                    let c = b[i]
                    if c != ASCII.cr && c != ASCII.lf { value.append(c) }
                    i += 1
                }
                i += 1 // closing quote
                // Anything up to the next ";" is junk.
                while i < hi, b[i] != ASCII.semicolon { i += 1 }
            } else {
                while i < hi, b[i] != ASCII.semicolon {
                    let c = b[i]
                    if c != ASCII.cr && c != ASCII.lf { value.append(c) }
                    i += 1
                }
                while let last = value.last, isWSP(last) { value.removeLast() }
            }
            guard !name.isEmpty else { continue }
            raw.append(Self.split(name: name, value: value))
            if raw.count >= 64 { break } // real headers have a handful; bounds hostile input
        }
        self.parameters = Self.combine(raw)
    }

    private static func skipComment(_ b: Bytes, _ start: Int, _ hi: Int) -> Int {
        var depth = 0
        var i = start
        while i < hi {
            let c = b[i]
            if c == ASCII.backslash { i += 2; continue }
            if c == ASCII.lparen { depth += 1 } else if c == ASCII.rparen {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return hi
    }

    /// "filename*1*" → ("filename", 1, extended).
    private static func split(name: [UInt8], value: [UInt8]) -> RawParameter {
        var n = name
        var extended = false
        if n.count > 1, n.last == ASCII.star { extended = true; n.removeLast() }
        var section = -1
        if let star = n.lastIndex(of: ASCII.star), star > 0, star + 1 < n.count {
            var v = 0
            var ok = true
            for c in n[(star + 1)...] {
                guard isDigit(c), v < 100_000 else { ok = false; break }
                v = v * 10 + Int(c - 0x30)
            }
            if ok { section = v; n.removeSubrange(star...) }
        }
        return RawParameter(name: String(decoding: n, as: UTF8.self), section: section, extended: extended, value: value)
    }

    private static func combine(_ raw: [RawParameter]) -> [(name: String, value: String)] {
        if !raw.contains(where: { $0.extended || $0.section >= 0 }) {
            // The common case: plain RFC 2045 parameters; the first of duplicates wins.
            var result = [(name: String, value: String)]()
            result.reserveCapacity(raw.count)
            for p in raw where !result.contains(where: { $0.name == p.name }) {
                result.append((p.name, plainText(p.value)))
            }
            return result
        }
        var result = [(name: String, value: String)]()
        var done = Set<String>()
        for p in raw where !done.contains(p.name) {
            let group = raw.filter { $0.name == p.name }
            let rfc2231 = group.filter { $0.extended || $0.section >= 0 }
            if rfc2231.isEmpty {
                result.append((p.name, plainText(p.value)))
            } else {
                result.append((p.name, decode2231(rfc2231.sorted { $0.section < $1.section })))
            }
            if group.count > 1 { done.insert(p.name) }
        }
        return result
    }

    /// A plain parameter value: 8-bit bytes as UTF-8 or Latin-1, encoded-words decoded.
    private static func plainText(_ value: [UInt8]) -> String {
        value.withBytes { EncodedWords.decode($0, 0..<$0.count) }
    }

    /// RFC 2231: the first extended section may start with charset'language'; extended
    /// sections are %-encoded; the sections are joined, then decoded with the charset.
    private static func decode2231(_ sections: [RawParameter]) -> String {
        var charset: String? = nil
        var bytes = [UInt8]()
        for (index, s) in sections.enumerated() {
            var v = s.value[...]
            if s.extended {
                if index == 0, let q1 = v.firstIndex(of: ASCII.apostrophe),
                   let q2 = v[(q1 + 1)...].firstIndex(of: ASCII.apostrophe) {
                    charset = String(decoding: v[..<q1], as: UTF8.self)
                    v = v[(q2 + 1)...]
                }
                var i = v.startIndex
                while i < v.endIndex {
                    let c = v[i]
                    if c == ASCII.percent, i + 2 < v.endIndex, let h = hexValue(v[i + 1]), let l = hexValue(v[i + 2]) {
                        bytes.append(h << 4 | l); i += 3
                    } else {
                        bytes.append(c); i += 1
                    }
                }
            } else {
                bytes.append(contentsOf: v)
            }
        }
        let text = Charsets.decode(bytes, charset: charset)
        return text.contains("=?") ? EncodedWords.decode(text) : text
    }
}
