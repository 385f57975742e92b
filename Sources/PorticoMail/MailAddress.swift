/// A person in From/To/Cc: display name (encoded-words decoded) and address.
///
/// Kept as two plain strings because archives are full of broken addresses; `display`
/// is what a page shows for the author.
public struct MailAddress: Sendable, Equatable, Hashable {
    public var name: String
    public var address: String

    public init(name: String = "", address: String) {
        self.name = name
        self.address = address
    }

    /// The name, else the address.
    public var display: String { name.isEmpty ? address : name }

    /// Parses an address list header value (RFC 5322 section 3.4, leniently).
    public static func parseList(_ value: String) -> [MailAddress] {
        let bytes = Array(value.utf8)
        return bytes.withBytes { AddressParser.parseList($0, 0..<$0.count) }
    }
}

/// Splits address lists: quoted strings, comments, angle addresses, groups.
enum AddressParser {
    static func parseList(_ b: Bytes, _ range: Range<Int>) -> [MailAddress] {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        var result = [MailAddress]()
        var plain = [UInt8]()   // text outside <>, quotes kept out
        var comment = [UInt8]()
        var angle: [UInt8]? = nil
        var i = lo

        func finish() {
            defer { plain.removeAll(keepingCapacity: true); comment.removeAll(keepingCapacity: true); angle = nil }
            var name: [UInt8]
            var address: [UInt8]
            if let a = angle {
                address = a
                name = plain
                if trimmedCount(name) == 0 { name = comment }
            } else {
                // "joe@example.com (Joe)" or just the address, or a broken "Joe joe@example.com".
                let trimmed = plain.withBytes { $0.trimmed(0..<$0.count) }
                let hasInnerSpace = plain[trimmed].contains(where: { isSpaceOrNewline($0) })
                let words = hasInnerSpace ? plain.split(whereSeparator: { isSpaceOrNewline($0) }) : []
                if words.count > 1, let at = words.lastIndex(where: { $0.contains(ASCII.at) }) {
                    address = Array(words[at])
                    var n = [UInt8]()
                    for (k, w) in words.enumerated() where k != at {
                        if !n.isEmpty { n.append(ASCII.space) }
                        n.append(contentsOf: w)
                    }
                    name = n
                    if trimmedCount(name) == 0 { name = comment }
                } else {
                    address = hasInnerSpace ? plain.filter { !isSpaceOrNewline($0) } : Array(plain[trimmed])
                    name = comment
                }
            }
            let addr = cleanAddress(address)
            let display = cleanName(name)
            if addr.isEmpty && display.isEmpty { return }
            if result.count < 10_000 { result.append(MailAddress(name: display, address: addr)) }
        }

        while i < hi {
            let c = b[i]
            switch c {
            case ASCII.quote:
                i += 1
                while i < hi, b[i] != ASCII.quote {
                    if b[i] == ASCII.backslash, i + 1 < hi { i += 1 }
                    plain.append(b[i])
                    i += 1
                }
                i += 1
            case ASCII.lparen:
                var depth = 0
                while i < hi {
                    let d = b[i]
                    if d == ASCII.backslash, i + 1 < hi {
                        comment.append(b[i + 1]); i += 2; continue
                    }
                    if d == ASCII.lparen {
                        depth += 1
                        if depth > 1 { comment.append(d) }
                    } else if d == ASCII.rparen {
                        depth -= 1
                        if depth == 0 { i += 1; break }
                        comment.append(d)
                    } else {
                        comment.append(d)
                    }
                    i += 1
                }
            case ASCII.lt:
                var a = [UInt8]()
                i += 1
                while i < hi, b[i] != ASCII.gt {
                    if !isSpaceOrNewline(b[i]) { a.append(b[i]) }
                    i += 1
                }
                i += 1
                if angle == nil { angle = a }
            case ASCII.comma, ASCII.semicolon:
                finish()
                i += 1
            case ASCII.colon where angle == nil:
                // "group name:" — the group name is not an address.
                plain.removeAll(keepingCapacity: true)
                comment.removeAll(keepingCapacity: true)
                i += 1
            default:
                plain.append(c)
                i += 1
            }
        }
        finish()
        return result
    }

    private static func trimmedCount(_ bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $0 + (isSpaceOrNewline($1) ? 0 : 1) }
    }

    /// Drops a source route ("@a,@b:user@host") and a "mailto:" prefix.
    private static func cleanAddress(_ bytes: [UInt8]) -> String {
        bytes.withBytes { b in
            var lo = 0
            if b.first == ASCII.at, let colon = b.index(of: ASCII.colon, from: 0, to: b.count) { lo = colon + 1 }
            if b.count - lo > 7, b.hasPrefixIgnoringCase(at: lo, end: b.count, "mailto:") { lo += 7 }
            return Charsets.decodeFallback(Bytes(rebasing: b[lo..<b.count]))
        }
    }

    private static func cleanName(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "" }
        var name = bytes.withBytes { collapseWhitespace(EncodedWords.decode($0, 0..<$0.count)) }
        // 'Joe' <joe@example.com> and "'Joe'" are common.
        if name.utf8.count >= 2, name.utf8.first == ASCII.apostrophe, name.utf8.last == ASCII.apostrophe {
            name = String(name.dropFirst().dropLast())
            name = collapseWhitespace(name)
        }
        return name
    }
}
