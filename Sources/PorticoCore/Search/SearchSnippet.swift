/// A piece of text to show in search results, with the matched words marked.
///
/// Built from the item's own text (the catalog keeps no copy of it), so what is shown is what
/// the visitor may already see. The web layer escapes the parts and wraps highlighted ones in
/// `<mark>`.
public struct SearchSnippet: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var text: String
        public var highlighted: Bool
        public init(text: String, highlighted: Bool) {
            self.text = text
            self.highlighted = highlighted
        }
    }

    public var parts: [Part]
    public init(parts: [Part]) { self.parts = parts }

    /// Only as much text is scanned for a first match.
    static let scanLimit = 20_000

    /// The whole of a short text (a title) with every matching word marked.
    public static func highlighting(_ text: String, words: [(word: String, isPrefix: Bool)]) -> SearchSnippet {
        let characters = Array(text)
        let spans = wordSpans(characters)
        return SearchSnippet(parts: build(characters, spans: spans, range: 0..<characters.count, words: words))
    }

    /// About `length` characters around the first matching word of `text`, cut at word
    /// boundaries, with "…" where text was left out; the start of the text when nothing matches.
    public static func excerpt(_ text: String, words: [(word: String, isPrefix: Bool)], length: Int = 240) -> SearchSnippet {
        let characters = Array(text.prefix(scanLimit))
        guard !characters.isEmpty else { return SearchSnippet(parts: []) }
        let spans = wordSpans(characters)
        let first = spans.firstIndex { matches(characters[$0], words) }
        var startWord = max(0, (first ?? 0) - 8)
        var start = spans.isEmpty ? 0 : spans[startWord].lowerBound
        if first == nil || spans.isEmpty { start = 0; startWord = 0 }
        var end = min(characters.count, start + length)
        if end < characters.count, let last = spans.last(where: { $0.upperBound <= end && $0.lowerBound >= start }) {
            end = last.upperBound
        }
        var parts = build(characters, spans: spans, range: start..<end, words: words)
        if start > 0 { parts.insert(Part(text: "… ", highlighted: false), at: 0) }
        if end < characters.count || text.count > characters.count { parts.append(Part(text: " …", highlighted: false)) }
        return SearchSnippet(parts: parts)
    }

    /// Text without marks (for plain-text output).
    public var plainText: String { parts.map(\.text).joined() }

    private static func build(_ characters: [Character], spans: [Range<Int>], range: Range<Int>, words: [(word: String, isPrefix: Bool)]) -> [Part] {
        var parts: [Part] = []
        var cursor = range.lowerBound
        func append(_ text: String, _ highlighted: Bool) {
            guard !text.isEmpty else { return }
            if let last = parts.last, last.highlighted == highlighted {
                parts[parts.count - 1].text += text
            } else {
                parts.append(Part(text: text, highlighted: highlighted))
            }
        }
        for span in spans where span.lowerBound >= range.lowerBound && span.upperBound <= range.upperBound {
            guard matches(characters[span], words) else { continue }
            append(String(characters[cursor..<span.lowerBound]), false)
            append(String(characters[span]), true)
            cursor = span.upperBound
        }
        if cursor < range.upperBound { append(String(characters[cursor..<range.upperBound]), false) }
        return parts
    }

    private static func wordSpans(_ characters: [Character]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = 0
        while index < characters.count {
            guard characters[index].isLetter || characters[index].isNumber else { index += 1; continue }
            var end = index
            while end < characters.count, characters[end].isLetter || characters[end].isNumber { end += 1 }
            spans.append(index..<end)
            index = end
        }
        return spans
    }

    private static func matches(_ word: ArraySlice<Character>, _ words: [(word: String, isPrefix: Bool)]) -> Bool {
        guard !words.isEmpty else { return false }
        let folded = fastFold(word)
        return words.contains { $0.isPrefix ? folded.hasPrefix($0.word) : folded == $0.word }
    }

    /// ASCII words (most of them) are lowercased directly; others go through Foundation's folding.
    private static func fastFold(_ word: ArraySlice<Character>) -> String {
        if word.allSatisfy(\.isASCII) { return String(word).lowercased() }
        return SearchText.fold(String(word))
    }
}
