import Foundation
import Ink

/// Turns an editor's Markdown into HTML that is safe to place in a page.
///
/// Ink passes raw HTML through and copies link targets verbatim, so three modifiers close
/// those doors: raw HTML (block or inline) is shown as text, link and image targets are
/// attribute-escaped, and only `http`, `https`, `mailto`, `tel` and site-relative targets are
/// kept (a `javascript:` link becomes `#`).
public struct MarkdownRenderer: Sendable {
    public init() {}

    public func html(from markdown: String) -> String {
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .html) { _, markdown in
            Self.escapeText(String(markdown))
        })
        parser.addModifier(Modifier(target: .links) { html, _ in
            Self.safeLink(html)
        })
        parser.addModifier(Modifier(target: .images) { html, _ in
            Self.safeImage(html)
        })
        parser.addModifier(Modifier(target: .codeBlocks) { html, markdown in
            Self.safeCodeBlock(html, markdown: markdown)
        })
        // Ink's metadata header ("---" at the top) is not a feature of Portico bodies.
        let source = markdown.hasPrefix("---") ? "\u{200B}" + markdown : markdown
        return parser.html(from: source)
    }

    /// Ink copies a fenced block's info string into `class="language-…"` as written; only
    /// letters, digits and `_+.#-` are kept (the code itself is escaped by Ink).
    static func safeCodeBlock(_ html: String, markdown: Substring) -> String {
        let firstLine = markdown.prefix { $0 != "\n" }
        let language = String(firstLine.drop { $0 == "`" }.drop { $0 == " " || $0 == "\t" }).trimmingCharacters(in: .whitespaces)
        let written = "<pre><code class=\"language-\(language)\">"
        guard !language.isEmpty, html.hasPrefix(written) else { return html }
        let safe = String(language.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_+.#-".unicodeScalars.contains($0)) }.map(Character.init))
        let opening = safe.isEmpty ? "<pre><code>" : "<pre><code class=\"language-\(safe)\">"
        return opening + html.dropFirst(written.count)
    }

    /// Rebuilds `<a href="URL">TITLE</a>` with a checked, escaped URL.
    static func safeLink(_ html: String) -> String {
        let prefix = "<a href=\""
        guard html.hasPrefix(prefix), html.hasSuffix("</a>"), let close = html.range(of: "\">", range: html.index(html.startIndex, offsetBy: prefix.count)..<html.endIndex) else {
            return escapeText(html)
        }
        let url = String(html[html.index(html.startIndex, offsetBy: prefix.count)..<close.lowerBound])
        let title = String(html[close.upperBound..<html.index(html.endIndex, offsetBy: -4)])
        return "<a href=\"\(escapeAttribute(safeURL(url)))\">\(title)</a>"
    }

    /// Rebuilds `<img src="URL" alt="ALT"/>` with a checked URL and plain-text alt.
    static func safeImage(_ html: String) -> String {
        let prefix = "<img src=\""
        guard html.hasPrefix(prefix), html.hasSuffix("/>") else { return escapeText(html) }
        let inner = html.dropFirst(prefix.count).dropLast(2)
        let url: Substring
        var alt = ""
        if let altRange = inner.range(of: "\" alt=\"") {
            url = inner[..<altRange.lowerBound]
            alt = String(inner[altRange.upperBound...].dropLast())
        } else {
            url = inner.dropLast()
        }
        let plainAlt = stripTags(alt)
        return "<img src=\"\(escapeAttribute(safeURL(String(url))))\" alt=\"\(escapeAttribute(plainAlt))\" loading=\"lazy\">"
    }

    /// `url` if its scheme is allowed, else "#".
    public static func safeURL(_ url: String) -> String {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if let colon = lower.firstIndex(of: ":") {
            let scheme = lower[..<colon]
            let beforeSlash = !scheme.contains("/") && !scheme.contains("?") && !scheme.contains("#")
            if beforeSlash && !["http", "https", "mailto", "tel"].contains(String(scheme)) { return "#" }
        }
        // Control characters can hide a scheme from the check above in some browsers.
        if lower.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "#" }
        return trimmed
    }

    public static func escapeText(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            default: result.append(character)
            }
        }
        return result
    }

    public static func escapeAttribute(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func stripTags(_ html: String) -> String {
        var result = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true } else if character == ">" && inTag { inTag = false } else if !inTag { result.append(character) }
        }
        return result
    }

    /// Plain text of a Markdown body (for descriptions, feeds and later the search catalog).
    public func plainText(from markdown: String) -> String {
        Self.stripTags(html(from: markdown))
    }
}
