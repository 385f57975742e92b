/// Readable text from an HTML-only mail body: tags removed, script/style/head dropped,
/// block elements turned into line breaks, entities decoded, whitespace collapsed.
///
/// Not an HTML parser: just enough to index and show the words of an HTML mail.
enum HTMLText {
    static func text(fromHTML html: String) -> String {
        var source = html
        return source.withUTF8 { text(fromHTML: $0) }
    }

    private enum Block { case none, line, paragraph, item, cell }

    static func text(fromHTML b: Bytes) -> String {
        var out = [UInt8]()
        out.reserveCapacity(b.count / 2)
        var pre = 0
        var i = 0
        let n = b.count

        func newline(_ count: Int) {
            // Drop trailing spaces, then make sure the output ends with `count` newlines (none at the start).
            while let last = out.last, last == ASCII.space { out.removeLast() }
            if out.isEmpty { return }
            var have = 0
            var k = out.count - 1
            while k >= 0, out[k] == ASCII.lf, have < count { have += 1; k -= 1 }
            while have < count { out.append(ASCII.lf); have += 1 }
        }

        while i < n {
            let c = b[i]
            if c == ASCII.lt {
                // Comment, doctype, processing instruction.
                if i + 3 < n, b[i + 1] == UInt8(ascii: "!"), b[i + 2] == ASCII.minus, b[i + 3] == ASCII.minus {
                    i = find(b, "-->", from: i + 4).map { $0 + 3 } ?? n
                    continue
                }
                if i + 1 < n, b[i + 1] == UInt8(ascii: "!") || b[i + 1] == ASCII.question {
                    i = (b.index(of: ASCII.gt, from: i, to: n) ?? n - 1) + 1
                    continue
                }
                var j = i + 1
                var closing = false
                if j < n, b[j] == ASCII.slash { closing = true; j += 1 }
                let nameStart = j
                while j < n, isAlpha(b[j]) || isDigit(b[j]) { j += 1 }
                if j == nameStart {
                    // Not a tag ("a < b"): keep the character.
                    out.append(c); i += 1
                    continue
                }
                let name = nameStart..<j
                // Skip attributes, honouring quotes.
                var quote: UInt8 = 0
                while j < n {
                    let d = b[j]
                    if quote != 0 { if d == quote { quote = 0 } } else if d == ASCII.quote || d == ASCII.apostrophe { quote = d } else if d == ASCII.gt { break }
                    j += 1
                }
                i = min(n, j + 1)
                if !closing, b.equalsIgnoringCase(name, "script") || b.equalsIgnoringCase(name, "style")
                    || b.equalsIgnoringCase(name, "head") || b.equalsIgnoringCase(name, "title") {
                    i = skipElement(b, name: name, from: i)
                    continue
                }
                switch blockKind(b, name) {
                case .line: newline(1)
                case .paragraph: newline(2)
                case .item:
                    newline(1)
                    if !closing { out.append(contentsOf: [0xE2, 0x80, 0xA2, ASCII.space]) } // "• "
                case .cell:
                    if let last = out.last, last != ASCII.space, last != ASCII.lf { out.append(ASCII.space) }
                case .none: break
                }
                if b.equalsIgnoringCase(name, "pre") { pre = max(0, pre + (closing ? -1 : 1)) }
                continue
            }
            if c == ASCII.amp {
                if let (scalar, next) = entity(b, at: i) {
                    appendScalar(&out, scalar == 0xA0 ? 0x20 : scalar)
                    i = next
                    continue
                }
                out.append(c); i += 1
                continue
            }
            if isSpaceOrNewline(c) && pre == 0 {
                if let last = out.last, last != ASCII.space, last != ASCII.lf { out.append(ASCII.space) }
                i += 1
                continue
            }
            if c == ASCII.cr { i += 1; continue }
            out.append(c)
            i += 1
        }
        // Trim spaces around line breaks and at the ends.
        var cleaned = [UInt8]()
        cleaned.reserveCapacity(out.count)
        var newlines = 0
        for c in out {
            if c == ASCII.lf {
                while let last = cleaned.last, last == ASCII.space { cleaned.removeLast() }
                newlines += 1
                if newlines <= 2, !cleaned.isEmpty { cleaned.append(c) }
            } else if c == ASCII.space, newlines > 0 || cleaned.isEmpty, pre == 0 {
                continue
            } else {
                newlines = 0
                cleaned.append(c)
            }
        }
        while let last = cleaned.last, isSpaceOrNewline(last) { cleaned.removeLast() }
        return String(decoding: cleaned, as: UTF8.self)
    }

    private static func blockKind(_ b: Bytes, _ name: Range<Int>) -> Block {
        switch name.count {
        case 1:
            let c = lowerASCII(b[name.lowerBound])
            return c == UInt8(ascii: "p") ? .paragraph : .none
        case 2:
            let c0 = lowerASCII(b[name.lowerBound]), c1 = lowerASCII(b[name.lowerBound + 1])
            if c0 == UInt8(ascii: "h"), c1 >= UInt8(ascii: "1"), c1 <= UInt8(ascii: "6") { return .paragraph }
            if b.equalsIgnoringCase(name, "br") || b.equalsIgnoringCase(name, "tr") || b.equalsIgnoringCase(name, "hr")
                || b.equalsIgnoringCase(name, "dt") || b.equalsIgnoringCase(name, "dd") { return .line }
            if b.equalsIgnoringCase(name, "ul") || b.equalsIgnoringCase(name, "ol") || b.equalsIgnoringCase(name, "dl") { return .paragraph }
            if b.equalsIgnoringCase(name, "li") { return .item }
            if b.equalsIgnoringCase(name, "td") || b.equalsIgnoringCase(name, "th") { return .cell }
            return .none
        default:
            for tag: StaticString in ["div", "table", "section", "article", "header", "footer", "address", "center", "tbody", "thead"]
                where b.equalsIgnoringCase(name, tag) { return .line }
            for tag: StaticString in ["blockquote", "pre"] where b.equalsIgnoringCase(name, tag) { return .paragraph }
            return .none
        }
    }

    /// Index after the closing tag of the element named `name`, or the end.
    private static func skipElement(_ b: Bytes, name: Range<Int>, from: Int) -> Int {
        var i = from
        while let lt = b.index(of: ASCII.lt, from: i, to: b.count) {
            if lt + 1 < b.count, b[lt + 1] == ASCII.slash {
                let s = lt + 2
                var e = s
                while e < b.count, isAlpha(b[e]) || isDigit(b[e]) { e += 1 }
                if e - s == name.count {
                    var same = true
                    for k in 0..<name.count where lowerASCII(b[s + k]) != lowerASCII(b[name.lowerBound + k]) { same = false; break }
                    if same { return (b.index(of: ASCII.gt, from: e, to: b.count) ?? b.count - 1) + 1 }
                }
            }
            i = lt + 1
        }
        return b.count
    }

    private static func find(_ b: Bytes, _ literal: StaticString, from: Int) -> Int? {
        var i = from
        let first = literal.utf8Start[0]
        while let p = b.index(of: first, from: i, to: b.count) {
            if b.hasPrefixIgnoringCase(at: p, end: b.count, literal) { return p }
            i = p + 1
        }
        return nil
    }

    /// Decodes "&name;", "&#123;", "&#x1F600;" at `at`: the scalar and the index after it.
    static func entity(_ b: Bytes, at: Int) -> (UInt32, Int)? {
        var j = at + 1
        let n = b.count
        guard j < n else { return nil }
        if b[j] == ASCII.hash {
            j += 1
            var hex = false
            if j < n, lowerASCII(b[j]) == UInt8(ascii: "x") { hex = true; j += 1 }
            var v: UInt32 = 0
            var digits = 0
            while j < n, digits < 8 {
                let c = b[j]
                if hex, let h = hexValue(c) { v = v * 16 + UInt32(h) } else if !hex, isDigit(c) { v = v * 10 + UInt32(c - 0x30) } else { break }
                digits += 1
                j += 1
            }
            guard digits > 0 else { return nil }
            if j < n, b[j] == ASCII.semicolon { j += 1 }
            if v >= 0x80 && v < 0xA0 { v = Charsets.windows1252Scalar(UInt8(v)) }
            if v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { v = 0xFFFD }
            return (v, j)
        }
        let start = j
        while j < n, j - start < 10, isAlpha(b[j]) || isDigit(b[j]) { j += 1 }
        guard j > start else { return nil }
        let name = String(decoding: Bytes(rebasing: b[start..<j]), as: UTF8.self)
        guard let v = namedEntities[name] else { return nil }
        if j < n, b[j] == ASCII.semicolon { j += 1 }
        return (v, j)
    }

    private static func appendScalar(_ out: inout [UInt8], _ v: UInt32) {
        guard let scalar = Unicode.Scalar(v) else { return }
        if v == 0xAD { return } // soft hyphen
        if let encoded = UTF8.encode(scalar) { out.append(contentsOf: encoded) }
    }

    private static let namedEntities: [String: UInt32] = [
        "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0xA0,
        "AMP": 0x26, "LT": 0x3C, "GT": 0x3E, "QUOT": 0x22,
        "copy": 0xA9, "reg": 0xAE, "trade": 0x2122, "hellip": 0x2026, "mdash": 0x2014, "ndash": 0x2013,
        "lsquo": 0x2018, "rsquo": 0x2019, "sbquo": 0x201A, "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E,
        "laquo": 0xAB, "raquo": 0xBB, "lsaquo": 0x2039, "rsaquo": 0x203A,
        "bull": 0x2022, "middot": 0xB7, "euro": 0x20AC, "pound": 0xA3, "yen": 0xA5, "cent": 0xA2,
        "sect": 0xA7, "deg": 0xB0, "plusmn": 0xB1, "times": 0xD7, "divide": 0xF7, "para": 0xB6,
        "frac12": 0xBD, "frac14": 0xBC, "frac34": 0xBE, "sup1": 0xB9, "sup2": 0xB2, "sup3": 0xB3,
        "iexcl": 0xA1, "iquest": 0xBF, "shy": 0xAD, "ordf": 0xAA, "ordm": 0xBA, "micro": 0xB5,
        "dagger": 0x2020, "Dagger": 0x2021, "permil": 0x2030, "prime": 0x2032, "larr": 0x2190, "rarr": 0x2192,
        "uarr": 0x2191, "darr": 0x2193, "harr": 0x2194, "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009,
        "zwnj": 0x200C, "zwj": 0x200D,
        "Agrave": 0xC0, "Aacute": 0xC1, "Acirc": 0xC2, "Atilde": 0xC3, "Auml": 0xC4, "Aring": 0xC5, "AElig": 0xC6,
        "Ccedil": 0xC7, "Egrave": 0xC8, "Eacute": 0xC9, "Ecirc": 0xCA, "Euml": 0xCB, "Igrave": 0xCC, "Iacute": 0xCD,
        "Icirc": 0xCE, "Iuml": 0xCF, "ETH": 0xD0, "Ntilde": 0xD1, "Ograve": 0xD2, "Oacute": 0xD3, "Ocirc": 0xD4,
        "Otilde": 0xD5, "Ouml": 0xD6, "Oslash": 0xD8, "Ugrave": 0xD9, "Uacute": 0xDA, "Ucirc": 0xDB, "Uuml": 0xDC,
        "Yacute": 0xDD, "THORN": 0xDE, "szlig": 0xDF,
        "agrave": 0xE0, "aacute": 0xE1, "acirc": 0xE2, "atilde": 0xE3, "auml": 0xE4, "aring": 0xE5, "aelig": 0xE6,
        "ccedil": 0xE7, "egrave": 0xE8, "eacute": 0xE9, "ecirc": 0xEA, "euml": 0xEB, "igrave": 0xEC, "iacute": 0xED,
        "icirc": 0xEE, "iuml": 0xEF, "eth": 0xF0, "ntilde": 0xF1, "ograve": 0xF2, "oacute": 0xF3, "ocirc": 0xF4,
        "otilde": 0xF5, "ouml": 0xF6, "oslash": 0xF8, "ugrave": 0xF9, "uacute": 0xFA, "ucirc": 0xFB, "uuml": 0xFC,
        "yacute": 0xFD, "thorn": 0xFE, "yuml": 0xFF, "OElig": 0x152, "oelig": 0x153, "Scaron": 0x160,
        "scaron": 0x161, "Yuml": 0x178, "fnof": 0x192, "circ": 0x2C6, "tilde": 0x2DC,
        "alpha": 0x3B1, "beta": 0x3B2, "gamma": 0x3B3, "delta": 0x3B4, "pi": 0x3C0, "mu": 0x3BC, "omega": 0x3C9,
        "hearts": 0x2665, "check": 0x2713, "minus": 0x2212, "le": 0x2264, "ge": 0x2265, "ne": 0x2260,
    ]
}
