import Foundation

/// The sitemap, the feed and robots.txt name pages by absolute URLs on the server's origin
/// (`http://<hostname>/news`). In a bake they must name the public URLs instead.
enum BakeXML {
    /// Every absolute URL in `text` that starts with `root`, with its range; `escaped` for XML,
    /// where the URL is written with character references.
    static func absoluteURLs(in text: String, startingWith root: String, escaped: Bool) -> [(Range<String.Index>, String)] {
        var found: [(Range<String.Index>, String)] = []
        var rest = text[...]
        while let start = rest.range(of: root) {
            let end = rest[start.lowerBound...].firstIndex(where: { $0.isWhitespace || "\"'<>".contains($0) }) ?? rest.endIndex
            let raw = String(rest[start.lowerBound..<end])
            found.append((start.lowerBound..<end, escaped ? HTMLText.decode(raw) : raw))
            rest = rest[end...]
        }
        return found
    }

    /// Replaces the absolute URLs found by `absoluteURLs` with what `map` returns.
    static func replacingAbsoluteURLs(in bytes: [UInt8], startingWith root: String, escaped: Bool, map: (String) -> String) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        var result = ""
        var cursor = text.startIndex
        for (range, url) in absoluteURLs(in: text, startingWith: root, escaped: escaped) {
            result += text[cursor..<range.lowerBound]
            let replacement = map(url)
            result += escaped ? HTMLText.escape(replacement) : replacement
            cursor = range.upperBound
        }
        result += text[cursor...]
        return Array(result.utf8)
    }

    /// Keeps the sitemap's `<url>` lines whose `<loc>` `map` turns into a public URL, with that
    /// URL, and drops the others (the server writes one `<url>` per line).
    static func rewriteSitemap(_ bytes: [UInt8], map: (String) -> String?) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let open = line.range(of: "<loc>"), let close = line.range(of: "</loc>"), open.upperBound <= close.lowerBound else {
                lines.append(String(line))
                continue
            }
            let location = HTMLText.decode(String(line[open.upperBound..<close.lowerBound]))
            guard let replacement = map(location) else { continue }
            lines.append(String(line[..<open.upperBound]) + HTMLText.escape(replacement) + String(line[close.lowerBound...]))
        }
        return Array(lines.joined(separator: "\n").utf8)
    }
}
