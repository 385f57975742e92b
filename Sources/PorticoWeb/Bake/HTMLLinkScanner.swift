/// Finds the places in an HTML document that hold links: `href`, `src`, `srcset` and `action`
/// of the elements that load or lead somewhere, and CSS in `style` attributes and `<style>`.
///
/// A small tolerant tokenizer over bytes, not a full HTML parser: it knows tags, quoted and
/// unquoted attributes, comments and raw-text elements, which is all that Portico's templates
/// and its sanitised Markdown produce. Text outside tags is never touched, so an escaped
/// `&lt;a href=…&gt;` shown as text stays text.
enum HTMLLinkScanner {
    /// One link-bearing value in the document.
    struct Spot: Equatable {
        enum Kind: Equatable {
            /// One URL.
            case url
            /// A `srcset` list: URLs with width or density descriptors.
            case srcset
            /// CSS text, whose `url()` values are links.
            case css
        }

        let kind: Kind
        /// The value's bytes in the document, without quotes.
        let range: Range<Int>
        /// Unquoted values get quotes when they are rewritten.
        let quoted: Bool
        /// Attribute values are HTML text (character references); `<style>` contents are not.
        let escaped: Bool
        /// `<link rel="canonical">`: must stay an absolute URL.
        let isCanonical: Bool
    }

    /// Which attributes of which elements hold URLs.
    static let linkAttributes: [String: Set<String>] = [
        "a": ["href"], "area": ["href"], "link": ["href"], "img": ["src", "srcset"],
        "script": ["src"], "source": ["src", "srcset"], "form": ["action"],
        "iframe": ["src"], "video": ["src", "poster"], "audio": ["src"],
    ]

    /// Elements whose content is not HTML: scanned up to their end tag in one step.
    static let rawTextElements: Set<String> = ["script", "style", "textarea", "title"]

    private struct Attribute {
        let name: String
        let value: Range<Int>?
        let quoted: Bool
    }

    static func spots(in html: [UInt8]) -> [Spot] {
        var spots: [Spot] = []
        let count = html.count
        var index = 0
        while index < count {
            guard html[index] == ASCII.lessThan else {
                index += 1
                continue
            }
            if starts(html, with: "<!--", at: index) {
                index = find(html, "-->", from: index + 4).map { $0 + 3 } ?? count
                continue
            }
            guard index + 1 < count else { break }
            let next = html[index + 1]
            if next == ASCII.bang || next == ASCII.question || next == ASCII.slash {
                index = find(html, ">", from: index + 1).map { $0 + 1 } ?? count
                continue
            }
            guard ASCII.isLetter(next) else {
                index += 1
                continue
            }
            var cursor = index + 1
            while cursor < count, ASCII.isNameByte(html[cursor]) { cursor += 1 }
            let tag = ASCII.lowercased(html[(index + 1)..<cursor])
            let attributes = readAttributes(html, from: &cursor)
            emit(tag: tag, attributes: attributes, html: html, into: &spots)
            if rawTextElements.contains(tag) {
                let end = findCaseInsensitive(html, "</" + tag, from: cursor) ?? count
                if tag == "style", cursor < end {
                    spots.append(Spot(kind: .css, range: cursor..<end, quoted: true, escaped: false, isCanonical: false))
                }
                index = end
            } else {
                index = cursor
            }
        }
        return spots
    }

    /// Reads attributes up to and including the tag's `>`.
    private static func readAttributes(_ html: [UInt8], from cursor: inout Int) -> [Attribute] {
        var attributes: [Attribute] = []
        let count = html.count
        while cursor < count {
            while cursor < count, ASCII.isSpace(html[cursor]) || html[cursor] == ASCII.slash { cursor += 1 }
            guard cursor < count else { break }
            if html[cursor] == ASCII.greaterThan {
                cursor += 1
                break
            }
            let nameStart = cursor
            while cursor < count, !ASCII.isSpace(html[cursor]), html[cursor] != ASCII.equals,
                  html[cursor] != ASCII.greaterThan, html[cursor] != ASCII.slash {
                cursor += 1
            }
            let name = ASCII.lowercased(html[nameStart..<cursor])
            while cursor < count, ASCII.isSpace(html[cursor]) { cursor += 1 }
            guard cursor < count, html[cursor] == ASCII.equals else {
                attributes.append(Attribute(name: name, value: nil, quoted: false))
                continue
            }
            cursor += 1
            while cursor < count, ASCII.isSpace(html[cursor]) { cursor += 1 }
            guard cursor < count else { break }
            let quote = html[cursor]
            if quote == ASCII.doubleQuote || quote == ASCII.singleQuote {
                let start = cursor + 1
                var end = start
                while end < count, html[end] != quote { end += 1 }
                attributes.append(Attribute(name: name, value: start..<end, quoted: true))
                cursor = min(end + 1, count)
            } else {
                let start = cursor
                while cursor < count, !ASCII.isSpace(html[cursor]), html[cursor] != ASCII.greaterThan { cursor += 1 }
                attributes.append(Attribute(name: name, value: start..<cursor, quoted: false))
            }
        }
        return attributes
    }

    private static func emit(tag: String, attributes: [Attribute], html: [UInt8], into spots: inout [Spot]) {
        let wanted = linkAttributes[tag] ?? []
        let isCanonical = tag == "link" && attributes.contains { attribute in
            guard attribute.name == "rel", let range = attribute.value else { return false }
            return HTMLText.decode(String(decoding: html[range], as: UTF8.self)).lowercased()
                .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains("canonical")
        }
        for attribute in attributes {
            guard let range = attribute.value else { continue }
            let kind: Spot.Kind
            if attribute.name == "style" {
                kind = .css
            } else if wanted.contains(attribute.name) {
                kind = attribute.name == "srcset" ? .srcset : .url
            } else {
                continue
            }
            spots.append(Spot(kind: kind, range: range, quoted: attribute.quoted, escaped: true, isCanonical: isCanonical && kind == .url))
        }
    }

    static func starts(_ bytes: [UInt8], with text: String, at index: Int) -> Bool {
        let needle = Array(text.utf8)
        guard index + needle.count <= bytes.count else { return false }
        return bytes[index..<(index + needle.count)].elementsEqual(needle)
    }

    static func find(_ bytes: [UInt8], _ text: String, from start: Int) -> Int? {
        let needle = Array(text.utf8)
        guard let first = needle.first, start < bytes.count else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func findCaseInsensitive(_ bytes: [UInt8], _ text: String, from start: Int) -> Int? {
        let needle = Array(text.lowercased().utf8)
        guard start < bytes.count else { return nil }
        var index = start
        search: while index + needle.count <= bytes.count {
            for offset in 0..<needle.count where ASCII.lower(bytes[index + offset]) != needle[offset] {
                index += 1
                continue search
            }
            return index
        }
        return nil
    }
}

/// Byte classes for the scanners.
enum ASCII {
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let bang = UInt8(ascii: "!")
    static let question = UInt8(ascii: "?")
    static let equals = UInt8(ascii: "=")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")

    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map(lower), as: UTF8.self)
    }
}
