import Foundation
import PorticoTestSupport
import PorticoCore
import PorticoWeb
import Testing

@Suite struct ThemeTests {
    /// The compiled-in theme must equal the editable files it is generated from.
    @Test func embeddedThemeMatchesItsSourceFiles() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PorticoWeb/Theme/Default")
        let exported = TestFolders.url("portico-theme")
        try Theme.exportDefault(to: exported)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: exported.path).sorted() == names)
        for name in names {
            let source = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let embedded = try String(contentsOf: exported.appendingPathComponent(name), encoding: .utf8)
            #expect(source.trimmingCharacters(in: .newlines) == embedded.trimmingCharacters(in: .newlines), "run scripts/embed-theme.sh (\(name))")
        }
    }

    @Test func valuesAreEscapedAndTemplatesRenderFromTheirFirstCharacter() throws {
        let folder = TestFolders.url("portico-theme")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("<p title=\"{{title}}\">{{title}}|{{{title}}}|{{plain}}|{{accented}}</p>".utf8).write(to: folder.appendingPathComponent("item.mustache"))
        let theme = try Theme(folder: folder)
        let html = theme.render("item", ["title": "<script>alert('x') & \"y\"</script>", "plain": "nothing to escape", "accented": "Barcelonà <b>"])
        let escaped = "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        #expect(html == "<p title=\"\(escaped)\">\(escaped)|<script>alert('x') & \"y\"</script>|nothing to escape|Barcelonà &lt;b&gt;</p>")
    }

    /// The escaping pragma put in front of every template must not change its output: a first
    /// line that is a standalone tag (a comment, a partial, a section) keeps its meaning.
    @Test func templatesStartingWithAStandaloneTagRenderAsWritten() throws {
        let folder = TestFolders.url("portico-theme")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{{! a comment }}\n{{#items}}\n<li>{{.}}</li>\n{{/items}}\n".utf8).write(to: folder.appendingPathComponent("item.mustache"))
        try Data("{{>item}}\nafter\n".utf8).write(to: folder.appendingPathComponent("folder.mustache"))
        let theme = try Theme(folder: folder)
        #expect(theme.render("item", ["items": ["a", "<b>"]]) == "<li>a</li>\n<li>&lt;b&gt;</li>\n")
        #expect(theme.render("folder", ["items": ["x"]]) == "<li>x</li>\nafter\n")
    }

    @Test func anOperatorThemeOverridesFilesAndBrokenTemplatesAreRefused() throws {
        let folder = TestFolders.url("portico-theme")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("body { color: red }".utf8).write(to: folder.appendingPathComponent("style.css"))
        let theme = try Theme(folder: folder)
        #expect(theme.stylesheet == "body { color: red }")
        #expect(theme.stylesheetHash != (try Theme()).stylesheetHash)

        try Data("{{#unclosed}}".utf8).write(to: folder.appendingPathComponent("item.mustache"))
        #expect(throws: PorticoError.self) { try Theme(folder: folder) }
        #expect(throws: PorticoError.self) { try Theme(folder: folder.appendingPathComponent("missing")) }
    }
}
