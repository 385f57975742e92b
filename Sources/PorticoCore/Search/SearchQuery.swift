/// What a visitor typed into the search box, reduced to terms the catalog understands.
///
/// Anything can arrive here (unbalanced quotes, operators, `*`, `NEAR`, column names, 10 kB of
/// text). Parsing never fails: words are the runs of letters and digits, `"…"` makes a phrase,
/// a trailing `*` on a word of three or more characters makes a prefix, a leading `-` excludes
/// a word. Everything else is a separator. Each term is later quoted, so no input can reach
/// the full-text engine as syntax.
public struct SearchQuery: Sendable, Equatable {
    public enum Term: Sendable, Equatable {
        case word(String)
        case prefix(String)
        case phrase([String])
    }

    /// Terms every result must contain.
    public var terms: [Term]
    /// Words no result may contain.
    public var excluded: [String]
    /// The text as kept (trimmed and cut to `maximumLength`), to show back in the search box.
    public var text: String

    /// Longer input is cut: the rest is ignored.
    public static let maximumLength = 200
    public static let maximumTerms = 12
    /// Shorter prefixes would expand to a large part of the vocabulary.
    public static let minimumPrefixLength = 3
    static let maximumWordLength = 64

    public var isEmpty: Bool { terms.isEmpty }

    public init(_ input: String) {
        var text = input.trimmingWhitespaceAndNewlines
        if text.count > Self.maximumLength { text = String(text.prefix(Self.maximumLength)) }
        self.text = text
        var terms: [Term] = []
        var excluded: [String] = []
        let characters = Array(text)
        var index = 0
        var phrase: [String]? = nil
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }

        while index < characters.count, terms.count + excluded.count < Self.maximumTerms {
            let c = characters[index]
            if c == "\"" {
                if let words = phrase {
                    if words.count == 1 { terms.append(.word(words[0])) } else if !words.isEmpty { terms.append(.phrase(words)) }
                    phrase = nil
                } else {
                    phrase = []
                }
                index += 1
                continue
            }
            guard isWordCharacter(c) else { index += 1; continue }
            let negated = phrase == nil && index > 0 && characters[index - 1] == "-"
                && (index == 1 || !isWordCharacter(characters[index - 2]))
            var end = index
            while end < characters.count, isWordCharacter(characters[end]) { end += 1 }
            let word = String(characters[index..<end].prefix(Self.maximumWordLength))
            let starred = end < characters.count && characters[end] == "*"
            index = end
            if phrase != nil {
                phrase!.append(word)
            } else if negated {
                excluded.append(word)
            } else if starred && word.count >= Self.minimumPrefixLength {
                terms.append(.prefix(word))
            } else {
                terms.append(.word(word))
            }
        }
        if let words = phrase {  // an unbalanced quote: the phrase runs to the end
            if words.count == 1 { terms.append(.word(words[0])) } else if !words.isEmpty { terms.append(.phrase(words)) }
        }
        self.terms = terms
        self.excluded = terms.isEmpty ? [] : excluded
    }

    /// The FTS5 query expression: every term double-quoted, ANDed, exclusions with NOT.
    /// Empty when there is nothing to search for.
    public var matchExpression: String {
        guard !terms.isEmpty else { return "" }
        let positive = terms.map { term -> String in
            switch term {
            case .word(let word): return Self.quoted(word)
            case .prefix(let word): return Self.quoted(word) + "*"
            case .phrase(let words): return Self.quoted(words.joined(separator: " "))
            }
        }.joined(separator: " ")
        guard !excluded.isEmpty else { return positive }
        return "(" + positive + ")" + excluded.map { " NOT " + Self.quoted($0) }.joined()
    }

    /// The words to highlight in titles and snippets, folded (case and accents removed).
    public var highlightWords: [(word: String, isPrefix: Bool)] {
        terms.flatMap { term -> [(String, Bool)] in
            switch term {
            case .word(let word): return [(SearchText.fold(word), false)]
            case .prefix(let word): return [(SearchText.fold(word), true)]
            case .phrase(let words): return words.map { (SearchText.fold($0), false) }
            }
        }
    }

    private static func quoted(_ word: String) -> String { "\"" + word + "\"" }
}

