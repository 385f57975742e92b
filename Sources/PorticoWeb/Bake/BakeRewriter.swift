/// Replaces links in HTML and CSS. The caller decides what each link becomes; the rewriter
/// knows where links are and how to write them back (escaped, quoted), and leaves every other
/// byte as it was. The same walk, with a function that only looks, lists a document's links.
enum BakeRewriter {
    /// What a link is used for, where that changes how it is rewritten.
    enum Role {
        case link
        /// `<link rel="canonical">`: an absolute URL by definition.
        case canonical
    }

    /// Parts of a page that only work on a live server (the site's search box), marked in the
    /// theme by `<!--portico:live-->` … `<!--/portico:live-->`: a static bake leaves them out.
    static func removingLiveOnlyParts(_ html: [UInt8]) -> [UInt8] {
        let open = Array("<!--portico:live-->".utf8)
        let close = Array("<!--/portico:live-->".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(html.count)
        var index = 0
        while index < html.count {
            if html[index] == UInt8(ascii: "<"), html[index...].starts(with: open) {
                var end = index + open.count
                while end < html.count, !html[end...].starts(with: close) { end += 1 }
                index = min(html.count, end + close.count)
                continue
            }
            output.append(html[index])
            index += 1
        }
        return output
    }

    /// Rewrites every link of an HTML document. `map` receives the link as written (character
    /// references decoded, spaces trimmed) and returns its replacement, or nil to keep it.
    static func html(_ html: [UInt8], map: (String, Role) -> String?) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(html.count)
        var cursor = 0
        for spot in HTMLLinkScanner.spots(in: html) {
            let raw = String(decoding: html[spot.range], as: UTF8.self)
            let text = spot.escaped ? HTMLText.decode(raw) : raw
            let replacement: String?
            switch spot.kind {
            case .url:
                replacement = map(text.trimmingSpaces, spot.isCanonical ? .canonical : .link)
            case .srcset:
                replacement = srcset(text) { map($0, .link) }
            case .css:
                let rewritten = css(Array(text.utf8)) { map($0, .link) }
                replacement = rewritten.elementsEqual(text.utf8) ? nil : String(decoding: rewritten, as: UTF8.self)
            }
            guard let replacement else { continue }
            output += html[cursor..<spot.range.lowerBound]
            let written = spot.escaped ? HTMLText.escape(replacement) : replacement
            output += Array((spot.quoted ? written : "\"" + written + "\"").utf8)
            cursor = spot.range.upperBound
        }
        guard cursor > 0 else { return html }
        output += html[cursor...]
        return output
    }

    /// Rewrites the `url()` and `@import` links of a stylesheet.
    static func css(_ css: [UInt8], map: (String) -> String?) -> [UInt8] {
        var output: [UInt8] = []
        var cursor = 0
        for spot in CSSLinkScanner.spots(in: css) {
            let text = String(decoding: css[spot.range], as: UTF8.self)
            guard let replacement = map(text.trimmingSpaces) else { continue }
            output += css[cursor..<spot.range.lowerBound]
            let needsQuotes = !spot.quoted && replacement.contains(where: { " \t\n()'\"\\".contains($0) })
            output += Array((needsQuotes ? "\"" + replacement + "\"" : replacement).utf8)
            cursor = spot.range.upperBound
        }
        guard cursor > 0 else { return css }
        output += css[cursor...]
        return output
    }

    /// Rewrites the URLs of a `srcset` list ("a.png 1x, b.png 2x"); nil when none changed.
    static func srcset(_ value: String, map: (String) -> String?) -> String? {
        var changed = false
        let candidates = value.split(separator: ",").map { candidate -> String in
            let trimmed = candidate.trimmingSpaces
            let url = trimmed.prefix { !$0.isWhitespace }
            let descriptor = trimmed.dropFirst(url.count)
            guard !url.isEmpty, let replacement = map(String(url)) else { return trimmed }
            changed = true
            return replacement + descriptor
        }
        return changed ? candidates.joined(separator: ", ") : nil
    }

    /// Every link of an HTML document, as written.
    static func links(inHTML html: [UInt8]) -> [String] {
        var links: [String] = []
        _ = Self.html(html) { link, _ in
            links.append(link)
            return nil
        }
        return links
    }

    /// Every link of a stylesheet, as written.
    static func links(inCSS css: [UInt8]) -> [String] {
        var links: [String] = []
        _ = Self.css(css) { link in
            links.append(link)
            return nil
        }
        return links
    }
}

extension StringProtocol {
    /// Without leading and trailing ASCII whitespace (HTML's definition of spaces in URLs).
    var trimmingSpaces: String {
        let scalars = String(self).unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0.isASCII && ASCII.isSpace(UInt8($0.value)) }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
