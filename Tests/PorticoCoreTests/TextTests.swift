import PorticoCore
import Testing

/// The byte-level text helpers of the write path and the theme.
@Suite struct TextTests {
    @Test func htmlEscapingCoversTheFiveCharactersAndLeavesOtherTextAlone() {
        #expect(HTMLEscaping.escape(#"<a href="x">Tom & Jerry's</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(HTMLEscaping.escape("Barcelonà, 東京, emoji 🎉") == "Barcelonà, 東京, emoji 🎉")
        #expect(HTMLEscaping.escape("") == "")
        // A combining mark after `<` makes one Character; the `<` is still escaped.
        #expect(HTMLEscaping.escape("<\u{0338}script>") == "&lt;\u{0338}script&gt;")
        var bytes: [UInt8] = []
        HTMLEscaping.append("a<b".utf8, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "a&lt;b")
    }

    @Test func nulsAreRemovedAndWhitespaceTrimmedByScalars() {
        #expect("a\u{0}b\u{0}".removingNULs == "ab")
        #expect("plain".removingNULs == "plain")
        #expect(" \t\u{00A0}Title\u{3000} \n".trimmingWhitespaceAndNewlines == "Title")
        #expect(" \tTitle \n".trimming(where: String.isHorizontalSpace) == "Title \n")
        #expect("  ".trimmingWhitespaceAndNewlines == "")
        #expect("--slug-".trimming { $0 == "-" } == "slug")
    }
}
