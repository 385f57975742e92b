/// Finds the links in CSS: `url(…)` values (quoted or not) and `@import "…"` strings.
/// Comments and other strings are skipped, so a `url(` inside them is not a link.
enum CSSLinkScanner {
    struct Spot: Equatable {
        /// The link's bytes, without quotes.
        let range: Range<Int>
        let quoted: Bool
    }

    static func spots(in css: [UInt8]) -> [Spot] {
        var spots: [Spot] = []
        let count = css.count
        var index = 0
        while index < count {
            let byte = css[index]
            if byte == ASCII.slash, index + 1 < count, css[index + 1] == UInt8(ascii: "*") {
                index = HTMLLinkScanner.find(css, "*/", from: index + 2).map { $0 + 2 } ?? count
            } else if byte == ASCII.doubleQuote || byte == ASCII.singleQuote {
                index = endOfString(css, from: index) + 1
            } else if byte == UInt8(ascii: "@"), matches(css, "@import", at: index) {
                var cursor = skipSpace(css, from: index + 7)
                if cursor < count, css[cursor] == ASCII.doubleQuote || css[cursor] == ASCII.singleQuote {
                    let end = endOfString(css, from: cursor)
                    spots.append(Spot(range: (cursor + 1)..<min(end, count), quoted: true))
                    cursor = end + 1
                }
                index = cursor
            } else if (byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U")), matches(css, "url(", at: index),
                      index == 0 || !isIdentifierByte(css[index - 1]) {
                var cursor = skipSpace(css, from: index + 4)
                if cursor < count, css[cursor] == ASCII.doubleQuote || css[cursor] == ASCII.singleQuote {
                    let end = endOfString(css, from: cursor)
                    spots.append(Spot(range: (cursor + 1)..<min(end, count), quoted: true))
                    cursor = end + 1
                } else {
                    let start = cursor
                    while cursor < count, css[cursor] != UInt8(ascii: ")") { cursor += 1 }
                    var end = cursor
                    while end > start, ASCII.isSpace(css[end - 1]) { end -= 1 }
                    if end > start { spots.append(Spot(range: start..<end, quoted: false)) }
                }
                index = cursor
            } else {
                index += 1
            }
        }
        return spots
    }

    /// The index of the closing quote of the string opening at `start` (or the end of input).
    private static func endOfString(_ css: [UInt8], from start: Int) -> Int {
        let quote = css[start]
        var index = start + 1
        while index < css.count, css[index] != quote {
            index += css[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return min(index, css.count)
    }

    private static func skipSpace(_ css: [UInt8], from start: Int) -> Int {
        var index = start
        while index < css.count, ASCII.isSpace(css[index]) { index += 1 }
        return index
    }

    private static func matches(_ css: [UInt8], _ text: String, at index: Int) -> Bool {
        let needle = Array(text.utf8)
        guard index + needle.count <= css.count else { return false }
        for offset in 0..<needle.count where ASCII.lower(css[index + offset]) != needle[offset] { return false }
        return true
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        ASCII.isNameByte(byte) || byte == UInt8(ascii: "_") || byte >= 0x80
    }
}
