import PorticoContent
import Testing

@Suite struct MarkdownRendererTests {
    let renderer = MarkdownRenderer()

    @Test func rendersOrdinaryMarkdown() {
        let html = renderer.html(from: "# Title\n\nSome *emphasis* and [a link](https://example.org/x).")
        #expect(html.contains("<h1>Title</h1>"))
        #expect(html.contains("<em>emphasis</em>"))
        #expect(html.contains("<a href=\"https://example.org/x\">a link</a>"))
    }

    @Test(arguments: [
        "<script>alert(1)</script>",
        "Hello <img src=x onerror=alert(1)> there",
        "<div onclick=\"x()\">block</div>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "text <b onmouseover=alert(1)>bold</b>",
    ])
    func rawHTMLIsEscapedNeverPassedThrough(_ markdown: String) {
        let html = renderer.html(from: markdown)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("<div"))
        #expect(!html.contains("<iframe"))
        #expect(!html.contains("<b "))
        #expect(html.contains("&lt;"))
    }

    @Test func dangerousLinkTargetsAreNeutralised() {
        #expect(renderer.html(from: "[x](javascript:alert(1))").contains("href=\"#\""))
        #expect(renderer.html(from: "[x](JaVaScRiPt:alert(1))").contains("href=\"#\""))
        #expect(renderer.html(from: "[x](data:text/html,hi)").contains("href=\"#\""))
        #expect(renderer.html(from: "![x](javascript:alert(1))").contains("src=\"#\""))
        #expect(renderer.html(from: "[x](/news)").contains("href=\"/news\""))
        #expect(renderer.html(from: "[x](mailto:a@example.org)").contains("href=\"mailto:a@example.org\""))
    }

    @Test func attributeBreakoutIsEscaped() {
        let html = renderer.html(from: "[x](https://a.example/\"onmouseover=\"alert(1))")
        #expect(!html.contains("\"onmouseover=\""))
        #expect(html.contains("&quot;"))
        let image = renderer.html(from: "![a\" onerror=\"alert(1)](https://a.example/i.png)")
        #expect(!image.contains("\" onerror=\""))
    }

    @Test func codeIsEscaped() {
        #expect(renderer.html(from: "`<b>`").contains("&lt;b&gt;"))
        #expect(renderer.html(from: "```\n<script>\n```").contains("&lt;script&gt;"))
    }

    @Test func aCodeFenceInfoStringCannotBreakOutOfItsAttribute() {
        let html = MarkdownRenderer().html(from: "```x\"><img src=x onerror=alert(1)>\nlet a = 1 < 2\n```\n")
        #expect(!html.contains("<img"))
        #expect(!html.contains("onerror=alert(1)>"))
        #expect(html.contains("let a = 1 &lt; 2"))
        #expect(MarkdownRenderer().html(from: "```swift\nprint(1)\n```\n").contains("<code class=\"language-swift\">"))
    }
}
