/// A piece of text to show in search results, with the matched words marked.
///
/// Built from the item's own text (the catalog keeps no copy of it), so what is shown is what
/// the visitor may already see. The web layer escapes the parts and wraps highlighted ones in
/// `<mark>`. Works on Unicode scalars (letters and digits make words, as in the catalog's
/// tokenizer), which is several times cheaper than grapheme clusters on long texts.
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
        let words = words.map(Needle.init)
        let scalars = Array(text.unicodeScalars)
        let spans = wordSpans(scalars)
        return SearchSnippet(parts: build(scalars, spans: spans, range: 0..<scalars.count, words: words))
    }

    /// About `length` characters around the first matching word of `text`, cut at word
    /// boundaries, with "…" where text was left out; the start of the text when nothing matches.
    public static func excerpt(_ text: String, words: [(word: String, isPrefix: Bool)], length: Int = 240) -> SearchSnippet {
        let words = words.map(Needle.init)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(min(text.utf8.count, scanLimit))
        for scalar in text.unicodeScalars {
            if scalars.count == scanLimit { break }
            scalars.append(scalar)
        }
        guard !scalars.isEmpty else { return SearchSnippet(parts: []) }
        let truncated = scalars.count == scanLimit
        let spans = wordSpans(scalars)
        let first = spans.firstIndex { matches(scalars[$0], words) }
        let startWord = max(0, (first ?? 0) - 8)
        let start = (first == nil || spans.isEmpty) ? 0 : spans[startWord].lowerBound
        var end = min(scalars.count, start + length)
        if end < scalars.count, let last = spans.last(where: { $0.upperBound <= end && $0.lowerBound >= start }) {
            end = last.upperBound
        }
        var parts = build(scalars, spans: spans, range: start..<end, words: words)
        if start > 0 { parts.insert(Part(text: "… ", highlighted: false), at: 0) }
        if end < scalars.count || truncated { parts.append(Part(text: " …", highlighted: false)) }
        return SearchSnippet(parts: parts)
    }

    /// Text without marks (for plain-text output).
    public var plainText: String { parts.map(\.text).joined() }

    private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    private static func build(_ scalars: [Unicode.Scalar], spans: [Range<Int>], range: Range<Int>, words: [Needle]) -> [Part] {
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
            guard matches(scalars[span], words) else { continue }
            append(text(scalars[cursor..<span.lowerBound]), false)
            append(text(scalars[span]), true)
            cursor = span.upperBound
        }
        if cursor < range.upperBound { append(text(scalars[cursor..<range.upperBound]), false) }
        return parts
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 48 && value <= 57) || (value >= 65 && value <= 90) || (value >= 97 && value <= 122)
        }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
    }

    private static func wordSpans(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            guard isWordScalar(scalars[index]) else { index += 1; continue }
            var end = index
            while end < scalars.count, isWordScalar(scalars[end]) { end += 1 }
            spans.append(index..<end)
            index = end
        }
        return spans
    }

    /// A folded query word, kept as scalars too so that ASCII words of the text (most of them)
    /// are compared in place, without making a string for each.
    struct Needle {
        var word: String
        var scalars: [Unicode.Scalar]
        var isPrefix: Bool

        init(_ entry: (word: String, isPrefix: Bool)) {
            word = entry.word
            scalars = Array(entry.word.unicodeScalars)
            isPrefix = entry.isPrefix
        }

        /// `candidate` is ASCII: compared lowercased, scalar by scalar.
        func matchesASCII(_ candidate: ArraySlice<Unicode.Scalar>) -> Bool {
            guard isPrefix ? candidate.count >= scalars.count : candidate.count == scalars.count else { return false }
            var index = candidate.startIndex
            for scalar in scalars {
                let value = candidate[index].value
                if (value >= 65 && value <= 90 ? value + 32 : value) != scalar.value { return false }
                index += 1
            }
            return true
        }
    }

    private static func matches(_ word: ArraySlice<Unicode.Scalar>, _ words: [Needle]) -> Bool {
        guard !words.isEmpty else { return false }
        if word.allSatisfy(\.isASCII) {
            return words.contains { $0.matchesASCII(word) }
        }
        let folded = SearchText.fold(text(word))
        return words.contains { $0.isPrefix ? folded.hasPrefix($0.word) : folded == $0.word }
    }
}
