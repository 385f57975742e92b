import Foundation
import PorticoCore
import Testing

@Suite struct SearchQueryTests {
    @Test func wordsPhrasesPrefixesAndExclusions() {
        let query = SearchQuery("  Open \"day at\" camp* -rain x* ")
        #expect(query.terms == [.word("Open"), .phrase(["day", "at"]), .prefix("camp"), .word("x")])
        #expect(query.excluded == ["rain"])
        #expect(query.matchExpression == "(\"Open\" \"day at\" \"camp\"* \"x\") NOT \"rain\"")
    }

    @Test func operatorsAndSyntaxAreOnlySeparators() {
        #expect(SearchQuery("title:secret").matchExpression == "\"title\" \"secret\"")
        #expect(SearchQuery("NEAR(a b)").terms == [.word("NEAR"), .word("a"), .word("b")])
        #expect(SearchQuery("\"unbalanced quote").terms == [.phrase(["unbalanced", "quote"])])
        #expect(SearchQuery("-only -negative").isEmpty)
        #expect(SearchQuery("* ( ) : ^ +").isEmpty)
        #expect(SearchQuery("pre-war").terms == [.word("pre"), .word("war")])
    }

    @Test func longInputIsCut() {
        let query = SearchQuery(String(repeating: "word ", count: 5000))
        #expect(query.text.count == SearchQuery.maximumLength)
        #expect(query.terms.count == SearchQuery.maximumTerms)
    }

    @Test func snippetsMarkFoldedMatches() {
        let words = SearchQuery("barcelona tram*").highlightWords
        let title = SearchSnippet.highlighting("Trams of Barcelonà", words: words)
        #expect(title.parts == [.init(text: "Trams", highlighted: true), .init(text: " of ", highlighted: false), .init(text: "Barcelonà", highlighted: true)])
        let long = String(repeating: "filler text ", count: 100) + "the Barcelona harbour" + String(repeating: " more", count: 100)
        let excerpt = SearchSnippet.excerpt(long, words: words)
        #expect(excerpt.parts.first?.text == "… ")
        #expect(excerpt.parts.contains(.init(text: "Barcelona", highlighted: true)))
        #expect(excerpt.plainText.count < 300)
        #expect(SearchText.plainText(fromHTML: "<p>Fish &amp; chips<br>&lt;ok&gt; &#233;</p>") == "Fish & chips <ok> é")
    }
}
