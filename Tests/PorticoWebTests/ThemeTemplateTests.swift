import Foundation
import PorticoTestSupport
import Mustache
import PorticoCore
@testable import PorticoWeb
import Testing

/// Portico's own Mustache engine (`ThemeTemplate`, `ThemeRenderer`) checked three ways: against
/// the Mustache specification's core modules, against swift-mustache (the engine it replaced)
/// on every built-in template, and on the templates it must refuse.
@Suite struct ThemeTemplateTests {
    typealias Object = [String: Any]

    // MARK: - Specification

    /// One case of the Mustache specification (mustache/spec, core modules). The main template
    /// is written as `item.mustache`; partials are named after theme templates (`head`, `foot`,
    /// `folder`) because a theme folder only provides those. Data holds only immutable values.
    struct SpecCase: @unchecked Sendable, CustomTestStringConvertible {
        let name: String
        let template: String
        let data: Object
        let partials: [String: String]
        let expected: String

        init(_ name: String, template: String, data: Object = [:], partials: [String: String] = [:], expected: String) {
            self.name = name
            self.template = template
            self.data = data
            self.partials = partials
            self.expected = expected
        }

        var testDescription: String { name }
    }

    /// Renders a case through the public path: a theme folder, `Theme(folder:)`, `render`.
    static func render(_ spec: SpecCase) throws -> String {
        for name in spec.partials.keys {
            try #require(DefaultTheme.templateNames.contains(name) && name != "item", "partial \(name) must be a theme template other than item")
        }
        let folder = try themeFolder(spec.partials.merging(["item": spec.template]) { _, main in main })
        defer { try? FileManager.default.removeItem(at: folder) }
        return try Theme(folder: folder).render("item", spec.data)
    }

    /// The same case with its data as typed page values (`ThemeFields`), the way public pages
    /// hand them over: both kinds of object must render alike.
    static func renderTyped(_ spec: SpecCase) throws -> String {
        let folder = try themeFolder(spec.partials.merging(["item": spec.template]) { _, main in main })
        defer { try? FileManager.default.removeItem(at: folder) }
        return try Theme(folder: folder).render("item", fields(spec.data))
    }

    static func fields(_ object: Object) -> ThemeFields {
        var fields = ThemeFields()
        for (name, value) in object { fields[name] = typed(value) }
        return fields
    }

    static func typed(_ value: Any) -> ThemeValue {
        switch value {
        case let text as String: .text(text)
        case let flag as Bool: .flag(flag)
        case let object as Object: .fields(fields(object))
        case let list as [Any]: .list(list.map(typed))
        case let absent as String?: absent.themeValue  // a typed optional: absent is false
        case let absent as Bool?: absent.themeValue
        default: .text(String(describing: value))
        }
    }

    static func themeFolder(_ templates: [String: String]) throws -> URL {
        let folder = TestFolders.url("portico-theme-template")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in templates {
            try Data(text.utf8).write(to: folder.appendingPathComponent("\(name).mustache"))
        }
        return folder
    }

    static let interpolationCases: [SpecCase] = [
        SpecCase("No Interpolation", template: "Hello from {Mustache}!\n", expected: "Hello from {Mustache}!\n"),
        SpecCase("Basic Interpolation", template: "Hello, {{subject}}!\n", data: ["subject": "world"], expected: "Hello, world!\n"),
        // The specification lists four characters; Portico (like swift-mustache) also escapes '.
        SpecCase("HTML Escaping (the five characters)", template: "These characters should be HTML escaped: {{forbidden}}\n",
                 data: ["forbidden": "& \" < > '"], expected: "These characters should be HTML escaped: &amp; &quot; &lt; &gt; &#39;\n"),
        SpecCase("Triple Mustache", template: "These characters should not be HTML escaped: {{{forbidden}}}\n",
                 data: ["forbidden": "& \" < > '"], expected: "These characters should not be HTML escaped: & \" < > '\n"),
        SpecCase("Ampersand", template: "These characters should not be HTML escaped: {{&forbidden}}\n",
                 data: ["forbidden": "& \" < > '"], expected: "These characters should not be HTML escaped: & \" < > '\n"),
        SpecCase("Accented characters are not escaped", template: "{{text}}", data: ["text": "Barcelonà, Zoë, 🎉 <ü>"], expected: "Barcelonà, Zoë, 🎉 &lt;ü&gt;"),
        SpecCase("Basic Integer Interpolation", template: "\"{{mph}} miles an hour!\"", data: ["mph": 85], expected: "\"85 miles an hour!\""),
        SpecCase("Triple Mustache Integer Interpolation", template: "\"{{{mph}}} miles an hour!\"", data: ["mph": 85], expected: "\"85 miles an hour!\""),
        SpecCase("Ampersand Integer Interpolation", template: "\"{{&mph}} miles an hour!\"", data: ["mph": 85], expected: "\"85 miles an hour!\""),
        SpecCase("Basic Decimal Interpolation", template: "\"{{power}} jiggawatts!\"", data: ["power": 1.210], expected: "\"1.21 jiggawatts!\""),
        SpecCase("Basic Context Miss Interpolation", template: "I ({{cannot}}) be seen!", expected: "I () be seen!"),
        SpecCase("Triple Mustache Context Miss Interpolation", template: "I ({{{cannot}}}) be seen!", expected: "I () be seen!"),
        SpecCase("Ampersand Context Miss Interpolation", template: "I ({{&cannot}}) be seen!", expected: "I () be seen!"),
        SpecCase("Dotted Names - Basic Interpolation", template: "\"{{person.name}}\" == \"{{#person}}{{name}}{{/person}}\"",
                 data: ["person": ["name": "Joe"]], expected: "\"Joe\" == \"Joe\""),
        SpecCase("Dotted Names - Triple Mustache Interpolation", template: "\"{{{person.name}}}\" == \"{{#person}}{{{name}}}{{/person}}\"",
                 data: ["person": ["name": "Joe"]], expected: "\"Joe\" == \"Joe\""),
        SpecCase("Dotted Names - Ampersand Interpolation", template: "\"{{&person.name}}\" == \"{{#person}}{{&name}}{{/person}}\"",
                 data: ["person": ["name": "Joe"]], expected: "\"Joe\" == \"Joe\""),
        SpecCase("Dotted Names - Arbitrary Depth", template: "\"{{a.b.c.d.e.name}}\" == \"Phil\"",
                 data: ["a": ["b": ["c": ["d": ["e": ["name": "Phil"]]]]]], expected: "\"Phil\" == \"Phil\""),
        SpecCase("Dotted Names - Broken Chains", template: "\"{{a.b.c}}\" == \"\"", data: ["a": Object()], expected: "\"\" == \"\""),
        SpecCase("Dotted Names - Broken Chain Resolution", template: "\"{{a.b.c.name}}\" == \"\"",
                 data: ["a": ["b": Object()], "c": ["name": "Jim"]], expected: "\"\" == \"\""),
        SpecCase("Dotted Names - Initial Resolution", template: "\"{{#a}}{{b.c.d.e.name}}{{/a}}\" == \"Phil\"",
                 data: ["a": ["b": ["c": ["d": ["e": ["name": "Phil"]]]]], "b": ["c": ["d": ["e": ["name": "Wrong"]]]]],
                 expected: "\"Phil\" == \"Phil\""),
        SpecCase("Dotted Names - Context Precedence", template: "{{#a}}{{b.c}}{{/a}}",
                 data: ["a": ["b": Object()], "b": ["c": "ERROR"]], expected: ""),
        SpecCase("Interpolation - Surrounding Whitespace", template: "| {{string}} |", data: ["string": "---"], expected: "| --- |"),
        SpecCase("Triple Mustache - Surrounding Whitespace", template: "| {{{string}}} |", data: ["string": "---"], expected: "| --- |"),
        SpecCase("Ampersand - Surrounding Whitespace", template: "| {{&string}} |", data: ["string": "---"], expected: "| --- |"),
        SpecCase("Interpolation - Standalone", template: "  {{string}}\n", data: ["string": "---"], expected: "  ---\n"),
        SpecCase("Triple Mustache - Standalone", template: "  {{{string}}}\n", data: ["string": "---"], expected: "  ---\n"),
        SpecCase("Ampersand - Standalone", template: "  {{&string}}\n", data: ["string": "---"], expected: "  ---\n"),
        SpecCase("Interpolation With Padding", template: "|{{ string }}|", data: ["string": "---"], expected: "|---|"),
        SpecCase("Triple Mustache With Padding", template: "|{{{ string }}}|", data: ["string": "---"], expected: "|---|"),
        SpecCase("Ampersand With Padding", template: "|{{& string }}|", data: ["string": "---"], expected: "|---|"),
    ]

    /// The specification's "Deeply Nested Contexts" template, one line per element.
    static let deeplyNestedTemplate: String = {
        let lines: [String] = [
            "{{#a}}", "{{one}}", "{{#b}}", "{{one}}{{two}}{{one}}", "{{#c}}", "{{one}}{{two}}{{three}}{{two}}{{one}}", "{{#d}}",
            "{{one}}{{two}}{{three}}{{four}}{{three}}{{two}}{{one}}", "{{#five}}",
            "{{one}}{{two}}{{three}}{{four}}{{five}}{{four}}{{three}}{{two}}{{one}}",
            "{{one}}{{two}}{{three}}{{four}}{{.}}6{{.}}{{four}}{{three}}{{two}}{{one}}",
            "{{one}}{{two}}{{three}}{{four}}{{five}}{{four}}{{three}}{{two}}{{one}}", "{{/five}}",
            "{{one}}{{two}}{{three}}{{four}}{{three}}{{two}}{{one}}", "{{/d}}", "{{one}}{{two}}{{three}}{{two}}{{one}}", "{{/c}}",
            "{{one}}{{two}}{{one}}", "{{/b}}", "{{one}}", "{{/a}}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }()

    static let sectionCases: [SpecCase] = [
        SpecCase("Truthy", template: "\"{{#boolean}}This should be rendered.{{/boolean}}\"", data: ["boolean": true], expected: "\"This should be rendered.\""),
        SpecCase("Falsey", template: "\"{{#boolean}}This should not be rendered.{{/boolean}}\"", data: ["boolean": false], expected: "\"\""),
        SpecCase("Null is falsey", template: "\"{{#null}}This should not be rendered.{{/null}}\"", data: ["null": Optional<String>.none as Any], expected: "\"\""),
        SpecCase("Context", template: "\"{{#context}}Hi {{name}}.{{/context}}\"", data: ["context": ["name": "Joe"]], expected: "\"Hi Joe.\""),
        SpecCase("Parent contexts", template: "\"{{#sec}}{{a}}, {{b}}, {{c.d}}{{/sec}}\"",
                 data: ["a": "foo", "b": "wrong", "sec": ["b": "bar"], "c": ["d": "baz"]], expected: "\"foo, bar, baz\""),
        SpecCase("Variable test", template: "\"{{#foo}}{{.}} is {{foo}}{{/foo}}\"", data: ["foo": "bar"], expected: "\"bar is bar\""),
        SpecCase("List Contexts",
                 template: "{{#tops}}{{#middles}}{{tname.lower}}{{mname}}.{{#bottoms}}{{tname.upper}}{{mname}}{{bname}}.{{/bottoms}}{{/middles}}{{/tops}}",
                 data: ["tops": [[
                     "tname": ["upper": "A", "lower": "a"],
                     "middles": [["mname": "1", "bottoms": [["bname": "x"], ["bname": "y"]]] as Object],
                 ] as Object]],
                 expected: "a1.A1x.A1y."),
        SpecCase("Deeply Nested Contexts",
                 template: deeplyNestedTemplate,
                 data: ["a": ["one": 1], "b": ["two": 2], "c": ["three": 3, "d": ["four": 4, "five": 5]] as Object],
                 expected: "1\n121\n12321\n1234321\n123454321\n12345654321\n123454321\n1234321\n12321\n121\n1\n"),
        SpecCase("List", template: "\"{{#list}}{{item}}{{/list}}\"", data: ["list": [["item": 1], ["item": 2], ["item": 3]]], expected: "\"123\""),
        SpecCase("Empty List", template: "\"{{#list}}Yay lists!{{/list}}\"", data: ["list": [Any]()], expected: "\"\""),
        SpecCase("Strings Not Lists", template: "\"{{#section}}foo{{/section}}\"", data: ["section": "123"], expected: "\"foo\""),
        SpecCase("Doubled", template: "{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n{{/bool}}\n",
                 data: ["bool": true, "two": "second"], expected: "* first\n* second\n* third\n"),
        SpecCase("Nested (Truthy)", template: "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |", data: ["bool": true], expected: "| A B C D E |"),
        SpecCase("Nested (Falsey)", template: "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |", data: ["bool": false], expected: "| A  E |"),
        SpecCase("Context Misses", template: "[{{#missing}}Found key 'missing'!{{/missing}}]", expected: "[]"),
        SpecCase("Implicit Iterator - String", template: "\"{{#list}}({{.}}){{/list}}\"", data: ["list": ["a", "b", "c", "d", "e"]], expected: "\"(a)(b)(c)(d)(e)\""),
        SpecCase("Implicit Iterator - Escaped String", template: "{{#list}}[{{.}}|{{{.}}}]{{/list}}", data: ["list": ["<é>", "'&'"]],
                 expected: "[&lt;é&gt;|<é>][&#39;&amp;&#39;|'&']"),
        SpecCase("Implicit Iterator - Integer", template: "\"{{#list}}({{.}}){{/list}}\"", data: ["list": [1, 2, 3, 4, 5]], expected: "\"(1)(2)(3)(4)(5)\""),
        SpecCase("Implicit Iterator - Decimal", template: "\"{{#list}}({{.}}){{/list}}\"", data: ["list": [1.10, 2.20, 3.30, 4.40, 5.50]],
                 expected: "\"(1.1)(2.2)(3.3)(4.4)(5.5)\""),
        SpecCase("Implicit Iterator - Array", template: "\"{{#list}}({{#.}}{{.}}{{/.}}){{/list}}\"", data: ["list": [[1, 2, 3], ["a", "b", "c"]] as [Any]],
                 expected: "\"(123)(abc)\""),
        SpecCase("Dotted Names - Truthy", template: "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"Here\"", data: ["a": ["b": ["c": true]]], expected: "\"Here\" == \"Here\""),
        SpecCase("Dotted Names - Falsey", template: "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"", data: ["a": ["b": ["c": false]]], expected: "\"\" == \"\""),
        SpecCase("Dotted Names - Broken Chains", template: "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"", data: ["a": Object()], expected: "\"\" == \"\""),
        SpecCase("Surrounding Whitespace", template: " | {{#boolean}}\t|\t{{/boolean}} | \n", data: ["boolean": true], expected: " | \t|\t | \n"),
        SpecCase("Internal Whitespace", template: " | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n", data: ["boolean": true], expected: " |  \n  | \n"),
        SpecCase("Indented Inline Sections", template: " {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n", data: ["boolean": true], expected: " YES\n GOOD\n"),
        SpecCase("Standalone Lines", template: "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n", data: ["boolean": true], expected: "| This Is\n|\n| A Line\n"),
        SpecCase("Indented Standalone Lines", template: "| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n", data: ["boolean": true], expected: "| This Is\n|\n| A Line\n"),
        SpecCase("Standalone Line Endings", template: "|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", data: ["boolean": true], expected: "|\r\n|"),
        SpecCase("Standalone Without Previous Line", template: "  {{#boolean}}\n#{{/boolean}}\n/", data: ["boolean": true], expected: "#\n/"),
        SpecCase("Standalone Without Newline", template: "#{{#boolean}}\n/\n  {{/boolean}}", data: ["boolean": true], expected: "#\n/\n"),
        SpecCase("Padding", template: "|{{# boolean }}={{/ boolean }}|", data: ["boolean": true], expected: "|=|"),
    ]

    static let invertedCases: [SpecCase] = [
        SpecCase("Falsey", template: "\"{{^boolean}}This should be rendered.{{/boolean}}\"", data: ["boolean": false], expected: "\"This should be rendered.\""),
        SpecCase("Null is falsey", template: "\"{{^boolean}}This should be rendered.{{/boolean}}\"", data: ["boolean": Optional<Bool>.none as Any],
                 expected: "\"This should be rendered.\""),
        SpecCase("Truthy", template: "\"{{^boolean}}This should not be rendered.{{/boolean}}\"", data: ["boolean": true], expected: "\"\""),
        SpecCase("Context", template: "\"{{^context}}Hi {{name}}.{{/context}}\"", data: ["context": ["name": "Joe"]], expected: "\"\""),
        SpecCase("List", template: "\"{{^list}}{{n}}{{/list}}\"", data: ["list": [["n": 1], ["n": 2], ["n": 3]]], expected: "\"\""),
        SpecCase("Empty List", template: "\"{{^list}}Yay lists!{{/list}}\"", data: ["list": [Any]()], expected: "\"Yay lists!\""),
        SpecCase("Doubled", template: "{{^bool}}\n* first\n{{/bool}}\n* {{two}}\n{{^bool}}\n* third\n{{/bool}}\n",
                 data: ["bool": false, "two": "second"], expected: "* first\n* second\n* third\n"),
        SpecCase("Nested (Falsey)", template: "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |", data: ["bool": false], expected: "| A B C D E |"),
        SpecCase("Nested (Truthy)", template: "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |", data: ["bool": true], expected: "| A  E |"),
        SpecCase("Context Misses", template: "[{{^missing}}Found key 'missing'!{{/missing}}]", expected: "[Found key 'missing'!]"),
        SpecCase("Dotted Names - Truthy", template: "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"\"", data: ["a": ["b": ["c": true]]], expected: "\"\" == \"\""),
        SpecCase("Dotted Names - Falsey", template: "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"Not Here\"", data: ["a": ["b": ["c": false]]],
                 expected: "\"Not Here\" == \"Not Here\""),
        SpecCase("Dotted Names - Broken Chains", template: "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"Not Here\"", data: ["a": Object()],
                 expected: "\"Not Here\" == \"Not Here\""),
        SpecCase("Surrounding Whitespace", template: " | {{^boolean}}\t|\t{{/boolean}} | \n", data: ["boolean": false], expected: " | \t|\t | \n"),
        SpecCase("Internal Whitespace", template: " | {{^boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n", data: ["boolean": false], expected: " |  \n  | \n"),
        SpecCase("Indented Inline Sections", template: " {{^boolean}}NO{{/boolean}}\n {{^boolean}}WAY{{/boolean}}\n", data: ["boolean": false], expected: " NO\n WAY\n"),
        SpecCase("Standalone Lines", template: "| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n", data: ["boolean": false], expected: "| This Is\n|\n| A Line\n"),
        SpecCase("Standalone Indented Lines", template: "| This Is\n  {{^boolean}}\n|\n  {{/boolean}}\n| A Line\n", data: ["boolean": false], expected: "| This Is\n|\n| A Line\n"),
        SpecCase("Standalone Line Endings", template: "|\r\n{{^boolean}}\r\n{{/boolean}}\r\n|", data: ["boolean": false], expected: "|\r\n|"),
        SpecCase("Standalone Without Previous Line", template: "  {{^boolean}}\n^{{/boolean}}\n/", data: ["boolean": false], expected: "^\n/"),
        SpecCase("Standalone Without Newline", template: "^{{^boolean}}\n/\n  {{/boolean}}", data: ["boolean": false], expected: "^\n/\n"),
        SpecCase("Padding", template: "|{{^ boolean }}={{/ boolean }}|", data: ["boolean": false], expected: "|=|"),
    ]

    static let commentCases: [SpecCase] = [
        SpecCase("Inline", template: "12345{{! Comment Block! }}67890", expected: "1234567890"),
        SpecCase("Multiline", template: "12345{{!\n  This is a\n  multi-line comment...\n}}67890\n", expected: "1234567890\n"),
        SpecCase("Standalone", template: "Begin.\n{{! Comment Block! }}\nEnd.\n", expected: "Begin.\nEnd.\n"),
        SpecCase("Indented Standalone", template: "Begin.\n  {{! Indented Comment Block! }}\nEnd.\n", expected: "Begin.\nEnd.\n"),
        SpecCase("Standalone Line Endings", template: "|\r\n{{! Standalone Comment }}\r\n|", expected: "|\r\n|"),
        SpecCase("Standalone Without Previous Line", template: "  {{! I'm Still Standalone }}\n!", expected: "!"),
        SpecCase("Standalone Without Newline", template: "!\n  {{! I'm Still Standalone }}", expected: "!\n"),
        SpecCase("Multiline Standalone", template: "Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n", expected: "Begin.\nEnd.\n"),
        SpecCase("Indented Multiline Standalone", template: "Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n", expected: "Begin.\nEnd.\n"),
        SpecCase("Indented Inline", template: "  12 {{! 34 }}\n", expected: "  12 \n"),
        SpecCase("Surrounding Whitespace", template: "12345 {{! Comment Block! }} 67890", expected: "12345  67890"),
    ]

    /// The specification's partial names (`text`, `partial`, `node`) become theme template names.
    static let partialCases: [SpecCase] = [
        SpecCase("Basic Behavior", template: "\"{{>head}}\"", partials: ["head": "from partial"], expected: "\"from partial\""),
        SpecCase("Failed Lookup", template: "\"{{>text}}\"", expected: "\"\""),
        SpecCase("Context", template: "\"{{>head}}\"", data: ["text": "content"], partials: ["head": "*{{text}}*"], expected: "\"*content*\""),
        SpecCase("Recursion", template: "{{>folder}}",
                 data: ["content": "X", "nodes": [["content": "Y", "nodes": [Any]()] as Object]],
                 partials: ["folder": "{{content}}<{{#nodes}}{{>folder}}{{/nodes}}>"], expected: "X<Y<>>"),
        SpecCase("Surrounding Whitespace", template: "| {{>head}} |", partials: ["head": "\t|\t"], expected: "| \t|\t |"),
        SpecCase("Inline Indentation", template: "  {{data}}  {{> head}}\n", data: ["data": "|"], partials: ["head": ">\n>"], expected: "  |  >\n>\n"),
        SpecCase("Standalone Line Endings", template: "|\r\n{{>head}}\r\n|", partials: ["head": ">"], expected: "|\r\n>|"),
        SpecCase("Standalone Without Previous Line", template: "  {{>head}}\n>", partials: ["head": ">\n>"], expected: "  >\n  >>"),
        SpecCase("Standalone Without Newline", template: ">\n  {{>head}}", partials: ["head": ">\n>"], expected: ">\n  >\n  >"),
        SpecCase("Standalone Indentation", template: "\\\n {{>head}}\n/\n", data: ["content": "<\n->"],
                 partials: ["head": "|\n{{{content}}}a b{{{content}}}c\n|\n"], expected: "\\\n |\n <\n->a b<\n->c\n |\n/\n"),
        // Not in the specification's table, but what its indentation rule implies.
        SpecCase("Nested Standalone Indentation", template: "  {{>head}}\n", partials: ["head": "a\n  {{>foot}}\nb\n", "foot": "c\nd\n"],
                 expected: "  a\n    c\n    d\n  b\n"),
        SpecCase("Padding Whitespace", template: "|{{> head }}|", data: ["boolean": true], partials: ["head": "[]"], expected: "|[]|"),
    ]

    static let delimiterCases: [SpecCase] = [
        SpecCase("Pair Behavior", template: "{{=<% %>=}}(<%text%>)", data: ["text": "Hey!"], expected: "(Hey!)"),
        SpecCase("Special Characters", template: "({{=[ ]=}}[text])", data: ["text": "It worked!"], expected: "(It worked!)"),
        SpecCase("Sections", template: "[\n{{#section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|#section|\n  {{data}}\n  |data|\n|/section|\n]\n",
                 data: ["section": true, "data": "I got interpolated."], expected: "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n"),
        SpecCase("Inverted Sections", template: "[\n{{^section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|^section|\n  {{data}}\n  |data|\n|/section|\n]\n",
                 data: ["section": false, "data": "I got interpolated."], expected: "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n"),
        SpecCase("Partial Inheritence", template: "[ {{>head}} ]\n{{= | | =}}\n[ |>head| ]\n", data: ["value": "yes"], partials: ["head": ".{{value}}."],
                 expected: "[ .yes. ]\n[ .yes. ]\n"),
        SpecCase("Post-Partial Behavior", template: "[ {{>head}} ]\n[ .{{value}}.  .|value|. ]\n", data: ["value": "yes"],
                 partials: ["head": ".{{value}}. {{= | | =}} .|value|."], expected: "[ .yes.  .yes. ]\n[ .yes.  .|value|. ]\n"),
        SpecCase("Surrounding Whitespace", template: "| {{=@ @=}} |", expected: "|  |"),
        SpecCase("Outlying Whitespace (Inline)", template: " | {{=@ @=}}\n", expected: " | \n"),
        SpecCase("Standalone Tag", template: "Begin.\n{{=@ @=}}\nEnd.\n", expected: "Begin.\nEnd.\n"),
        SpecCase("Indented Standalone Tag", template: "Begin.\n  {{=@ @=}}\nEnd.\n", expected: "Begin.\nEnd.\n"),
        SpecCase("Standalone Line Endings", template: "|\r\n{{= @ @ =}}\r\n|", expected: "|\r\n|"),
        SpecCase("Standalone Without Previous Line", template: "  {{=@ @=}}\n=", expected: "="),
        SpecCase("Standalone Without Newline", template: "=\n  {{=@ @=}}", expected: "=\n"),
        SpecCase("Pair with Padding", template: "|{{= @   @ =}}|", expected: "||"),
    ]

    /// Interpolation, escaping, dotted names and context misses render as the specification says.
    @Test(arguments: ThemeTemplateTests.interpolationCases)
    func specInterpolation(_ spec: SpecCase) throws {
        #expect(try Self.render(spec) == spec.expected)
        #expect(try Self.renderTyped(spec) == spec.expected)
    }

    /// Sections: truthiness, lists, context stack, implicit iterator, standalone lines.
    @Test(arguments: ThemeTemplateTests.sectionCases)
    func specSections(_ spec: SpecCase) throws {
        #expect(try Self.render(spec) == spec.expected)
        #expect(try Self.renderTyped(spec) == spec.expected)
    }

    /// Inverted sections render exactly when a section would not.
    @Test(arguments: ThemeTemplateTests.invertedCases)
    func specInvertedSections(_ spec: SpecCase) throws {
        #expect(try Self.render(spec) == spec.expected)
        #expect(try Self.renderTyped(spec) == spec.expected)
    }

    /// Comments render nothing, and a standalone comment line not even its line break.
    @Test(arguments: ThemeTemplateTests.commentCases)
    func specComments(_ spec: SpecCase) throws {
        #expect(try Self.render(spec) == spec.expected)
        #expect(try Self.renderTyped(spec) == spec.expected)
    }

    /// Partials render in the caller's context; a standalone partial indents every template line.
    @Test(arguments: ThemeTemplateTests.partialCases)
    func specPartials(_ spec: SpecCase) throws {
        #expect(try Self.render(spec) == spec.expected)
        #expect(try Self.renderTyped(spec) == spec.expected)
    }

    /// Delimiter changes last to the end of their template and do not leak into partials.
    @Test(arguments: ThemeTemplateTests.delimiterCases)
    func specDelimiters(_ spec: SpecCase) throws {
        #expect(try Self.render(spec) == spec.expected)
        #expect(try Self.renderTyped(spec) == spec.expected)
    }

    // MARK: - Built-in templates against swift-mustache

    /// A context for the differential test and the templates it is built for. Names a template
    /// interpolates (`{{name}}`) never hold an object or a list here: Portico renders nothing for
    /// those, swift-mustache their Swift description, and neither is a page anyone wants.
    struct DifferentialContext: @unchecked Sendable, CustomTestStringConvertible {
        let name: String
        let values: Object
        let templates: [String]
        /// Text each template's output must contain: proof that the context switches those
        /// sections on, so that agreement is not agreement on empty pages.
        let markers: [String: [String]]

        var testDescription: String { name }
    }

    static let differentialContexts: [DifferentialContext] = [
        DifferentialContext(name: "everything switched on", values: everythingOn, templates: DefaultTheme.templateNames, markers: [
            "head": ["class=\"editbar\"", "brand-logo", "brand-tagline", "site-nav", "breadcrumbs wrap", "rel=\"canonical\"", "application/atom+xml",
                     "name=\"description\"", "site-search"],
            "foot": ["footer-text", "News feed"],
            "home": ["latest-news", "upcoming-events", "in-this-site", "event-location", "All news", "card-text", "class=\"prose\""],
            "folder": ["news-list", "news-thumb", "class=\"pagination\"", "rel=\"prev\"", "rel=\"next\""],
            "item": ["message-facts", "<dt>List</dt>", "event-facts", "<dt>Where</dt>", "class=\"figure\"", " width=\"640\"", "<figcaption>",
                     "class=\"download\"", "class=\"thread\"", "class=\"tags\"", "class=\"byline\"", "class=\"lead\""],
            "search": ["search-facets", "search-results", "search-excerpt", "state-badge", "(many items match"],
            "error": ["error-code\">404<"],
            "editor-head": ["editor-nav", "/_edit/users", "flash flash-error", "class=\"flash\" role=\"status\""],
            "login": ["flash flash-notice"],
            "dashboard": ["Go to the site's contents", "badge badge-private\">off: ", "appears "],
            "contents": ["class=\"add-form\"", "(folder)", "Edit this folder", ">Sharing</a>"],
            "item-form": ["Please correct the marked fields", "See what changed", "id=\"slug\"", "id=\"start\"", "id=\"linkTarget\"",
                          "flash flash-notice", "Current: <a href=", "class=\"preview\"", "id=\"membersOnly\"", "checked", "workflow-form"],
            "confirm": ["item(s) inside it"],
            "history": ["diff-field", "diff-lines", "id=\"revert-3\"", " (current)"],
            "sharing": ["(inherited)", ">Remove</button>", "the whole site"],
            "settings": ["Please correct the marked fields", "flash flash-notice"],
            "users": ["Its password is", "Create an account"],
            "flags": ["badge-published", "badge-private", " by ", "Switch off", "Switch on"],
            "sites": ["\" selected>", "Show all", "flash flash-error", "<select id=\"create-from\""],
            "site-admin": ["Problems found", "id=\"hostnames-error\"", "Back up now", "Latest backups", "Open the site", "Put in maintenance", "Delete this site"],
        ]),
        DifferentialContext(name: "the other branches", values: otherBranches, templates: DefaultTheme.templateNames, markers: [
            "head": [" aria-current=\"page\">Home"],
            "folder": ["class=\"listing\"", "listing-date"],
            "search": ["All types</a>", "Nothing matches your search"],
            "item-form": ["accept=\"image/png", "Image (PNG"],
            "history": ["have the same content"],
            "sharing": ["this item and everything inside it"],
            "site-admin": ["<strong>OK</strong>", "Maintenance</span>", "needs a backup folder", "own address"],
            "sites": ["No site matches", "the id of the site to copy"],
            "users": ["Nobody has a role in this site yet"],
            "dashboard": ["Nothing is waiting for review", "all features on"],
            "settings": ["id=\"logo\""],
            "flags": ["never changed"],
        ]),
        DifferentialContext(name: "almost nothing, empty lists", values: almostNothing, templates: DefaultTheme.templateNames, markers: [
            "folder": ["There is nothing in this section yet"],
            "contents": ["This folder is empty"],
            "dashboard": ["Nothing is scheduled"],
        ]),
        // `message` is an object here (the facts of a mail message), which error pages would
        // interpolate: this context is for the pages that only open it as a section.
        DifferentialContext(name: "article with message facts", values: articleWithMessage, templates: ["item", "home", "folder", "search"], markers: [
            "item": ["message-facts", "<dt>List</dt>"],
        ]),
        // `errors` holds objects here; settings interpolates `{{.}}` over plain strings instead.
        DifferentialContext(name: "form with field errors", values: formWithFieldErrors, templates: ["item-form"], markers: [
            "item-form": ["<a href=\"#title\">", "field-error"],
        ]),
    ]

    /// Every built-in template renders byte for byte as swift-mustache renders it.
    @Test(arguments: ThemeTemplateTests.differentialContexts)
    func builtInTemplatesRenderLikeSwiftMustache(_ context: DifferentialContext) throws {
        let theme = try Theme()
        var library = MustacheLibrary()
        for name in DefaultTheme.templateNames {
            let text = try #require(DefaultTheme.files["\(name).mustache"], "no built-in \(name).mustache")
            try library.register(text, named: name)
        }
        let reference = Self.withoutEmptyStrings(context.values)
        for name in context.templates {
            let rendered = try #require(library.render(reference, withTemplate: name), "swift-mustache has no \(name)")
            let expected = Array(rendered.utf8)
            let actual = theme.renderBytes(name, context.values)
            let identical = actual == expected
            #expect(identical, "\(name).mustache: \(Self.firstDifference(actual, expected))")
            // Public pages hand over typed values (`ThemeFields`): the same bytes.
            let typed = theme.renderBytes(name, Self.fields(context.values))
            let typedIdentical = typed == expected
            #expect(typedIdentical, "\(name).mustache, typed: \(Self.firstDifference(typed, expected))")
            let html = String(decoding: actual, as: UTF8.self)
            for marker in context.markers[name] ?? [] {
                #expect(html.contains(marker), "\(name).mustache lacks \(marker)")
            }
        }
    }

    /// What Portico does to every object it renders: empty strings are left out, so that a
    /// section over one does not render. swift-mustache gets the same data.
    static func withoutEmptyStrings(_ value: Any) -> Any {
        switch value {
        case let object as Object:
            var result: Object = [:]
            for (key, value) in object {
                if let text = value as? String, text.isEmpty { continue }
                result[key] = withoutEmptyStrings(value)
            }
            return result
        case let list as [Any]:
            return list.map(withoutEmptyStrings)
        default:
            return value
        }
    }

    /// Where two renderings part, with some text of each around it.
    static func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String {
        let common = min(actual.count, expected.count)
        let index = (0..<common).first { actual[$0] != expected[$0] } ?? common
        if index == common, actual.count == expected.count { return "identical" }
        func excerpt(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, index - 60)..<min(bytes.count, index + 60)], as: UTF8.self)
        }
        return "first difference at byte \(index) of \(actual.count) (Portico) and \(expected.count) (swift-mustache);\nPortico: \(excerpt(actual))\nswift-mustache: \(excerpt(expected))"
    }

    static var everythingOn: Object {
        let site: Object = [
            "name": "Café <Ràdio> & \"Amics\"",
            "tagline": "It's «news» & more",
            "logoURL": "/_files/logo.png?w=40&h=40",
            "footer": "© 2025 Zoë O'Brien\nCarrer de la Pau, 3 <Barcelona>",
        ]
        let item: Object = [
            "title": "Ça va? <Crème brûlée> & 'tarte'",
            "description": "Summary with \"quotes\" & <em>tags</em>",
            "bodyHTML": "<p>Body with <a href=\"/x?a=1&amp;b=2\">a link</a> — déjà vu {{not a tag}}</p>",
            "type": "news",
            "isoDate": "2025-03-04",
            "date": "4 March 2025",
            "tags": ["é<t>", "x & y", "naïve 'tag'"],
            "modifiedISO": "2025-03-05T10:00:00Z",
            "modifiedText": "5 March 2025, 10:00",
            "state": "published",
            "stateName": "Published <live>",
            "editURL": "/_edit/item?id=1&x=\"2\"",
            "viewURL": "/news/ça-va",
            "isRoot": true,
            "canHistory": true,
            "canDelete": true,
        ]
        let editbar: Object = [
            "name": "José \"Pepe\" O'Neil",
            "dashboardURL": "/_edit/",
            "editURL": "/_edit/item?id=1&mode=edit",
            "logoutURL": "/_logout?next=/&x=1",
        ]
        let nav: [Object] = [
            ["url": "/news/", "title": "News & views", "current": true],
            ["url": "/about/", "title": "À propos <us>", "current": false],
        ]
        let breadcrumbs: [Object] = [["url": "/", "title": "Home"], ["url": "/news/", "title": "News «all»"]]
        let news: [Object] = [
            ["url": "/news/1", "date": "1 Mar", "title": "First <one>", "description": "It's here & now"],
            ["url": "/news/2", "date": "2 Mar", "title": "Second \"two\""],
        ]
        let events: [Object] = [
            ["url": "/events/1", "date": "9 Mar", "title": "Fête <de> la musique", "location": "Plaça d'Espanya & around"],
            ["url": "/events/2", "date": "10 Mar", "title": "Talk"],
        ]
        let children: [Object] = [
            ["url": "/news/1", "title": "Child <1>", "description": "Desc & more", "thumbnailURL": "/_files/t1.png?s=1&t=2", "isoDate": "2025-03-01",
             "date": "1 Mar", "type": "news", "typeName": "News «item»", "id": "c1", "manageURL": "/_edit/c1", "isFolder": true,
             "state": "draft", "stateName": "Draft", "modified": "yesterday", "author": "Zoë"],
            ["url": "/news/2", "title": "Child 'two'", "isoDate": "2025-03-02", "date": "2 Mar", "type": "page", "typeName": "Page",
             "id": "c2", "manageURL": "/_edit/c2", "isFolder": false, "state": "published", "stateName": "Published", "modified": "today", "author": "Pep"],
        ]
        let event: Object = ["startISO": "2025-03-09T18:00", "startText": "9 March, 18:00", "endISO": "2025-03-09T20:00", "endText": "20:00",
                             "location": "Sala <Gran> & bar"]
        let image: Object = ["url": "/_files/photo.jpg?x=1&y=2", "alt": "A \"photo\" of <Montjuïc>", "width": 640, "height": 480, "caption": "Vista 'des' del port"]
        let file: Object = ["url": "/_files/report.pdf", "filename": "rapport d'activité <2025>.pdf", "typeName": "PDF", "sizeText": "1.2 MB"]
        let thread: [Object] = [
            ["current": false, "url": "/lists/1", "title": "Re: <patch>", "from": "Anna", "date": "1 Mar"],
            ["current": true, "url": "/lists/2", "title": "Re: Re: <patch> & more", "from": "Bernat", "date": "2 Mar"],
        ]
        let facets: [Object] = [
            ["current": true, "name": "News <n>", "count": 2, "url": "/search?q=x&type=news"],
            ["current": false, "name": "Pages", "count": 1, "url": "/search?q=x&type=page"],
        ]
        let results: [Object] = [
            ["url": "/news/1", "titleHTML": "<mark>Crème</mark> brûlée", "typeName": "News", "from": "Zoë", "date": "1 Mar", "state": "draft",
             "path": "/news/1 <a>", "excerptHTML": "… la <mark>crème</mark> & …"],
            ["url": "/pages/2", "titleHTML": "Other", "typeName": "Page", "date": "2 Mar", "path": "/pages/2"],
        ]
        let e: Object = [
            "title": "Required <!>", "slug": "Taken: 'ça-va'", "description": "Too long & wordy", "start": "Bad \"date\"", "end": "Before start",
            "file": "Too big > 10 MB", "linkTarget": "Not a URL", "body": "Empty?", "effective": "Invalid <date>", "expires": "Before effective",
        ]
        let v: Object = [
            "title": "Títol <nou>", "slug": "titol-nou", "description": "Línia 1\nLínia 2 & \"3\"", "start": "2025-03-09T18:00", "end": "2025-03-09T20:00",
            "location": "Sala 'B'", "linkTarget": "https://example.org/?a=1&b=2", "body": "# Hola\n\n**món** <script>", "tags": "a, b & c",
            "effective": "2025-03-01T00:00", "expires": "2026-01-01T00:00", "membersOnly": true, "name": "Café <site>", "tagline": "Tag 'line'",
            "accentColor": "#1d4f91", "footerText": "Peu\r\nde pàgina", "hostnames": "cafe.example\nwww.cafe.example",
        ]
        let sites: [Object] = [
            ["url": "/s1/_edit/", "name": "Site «1» & co", "roles": "Editor, Manager", "manageURL": "/_edit/sites/s1", "id": "s1", "active": true,
             "hostnames": "s1.example <main>", "homeURL": "https://s1.example/"],
            ["url": "/s2/_edit/", "name": "S'2", "roles": "Member", "manageURL": "/_edit/sites/s2", "id": "s2", "active": false, "hostnames": "s2.example"],
        ]
        let publicPages: Object = [
            "site": site, "isHome": false, "pageTitle": "Über <Straße> & 'more'", "metaDescription": "Desc with \"quotes\" & <tags>",
            "css": "/_theme/0123456789abcdef/style.css", "feedURL": "/news/feed.atom?x=1&y=2", "canonical": "https://example.org/a?b=1&c=2",
            "accent": "#1d4f91", "editbar": editbar, "contentsURL": "/_edit/contents/?path=/news&x=1", "csrf": "tok<&>\"'en",
            "home": "/", "searchURL": "/search?x=1&y=2", "hasNav": true, "nav": nav, "hasBreadcrumbs": true, "breadcrumbs": breadcrumbs,
            "sitemapURL": "/sitemap.xml",
            // home, folder, item
            "item": item, "hasNews": true, "news": news, "newsFolderURL": "/news/?page=1&x=2", "hasEvents": true, "events": events,
            "hasChildren": true, "children": children, "isNewsListing": true, "pageText": "Page 2 of 3", "previousURL": "/news/?page=1",
            "nextURL": "/news/?page=3&x=\"y\"", "isNews": true,
            "message": "Something went wrong: <script>alert('x')</script> & more",
            "from": "Anna <anna@example.org>", "dateISO": "2025-03-01T10:00:00Z", "dateText": "1 March 2025", "list": "dev@example.org «list»",
            "event": event, "image": image, "file": file, "hasThread": true, "thread": thread, "hasTags": true,
            // search
            "searchQuery": "crème & \"brûlée\"", "filters": [["name": "type", "value": "news&events"]], "hasQuery": true,
            "summary": "3 items match «crème»", "capped": true, "hasFacets": true, "typeFiltered": false, "allTypesURL": "/search?q=x&all=1",
            "facets": facets, "hasResults": true, "results": results, "noResults": false,
            // error pages
            "status": 404, "heading": "Page <not> found & 'gone'",
        ]
        let editor: Object = [
            "base": "/sites/café", "user": ["name": "José \"Pepe\" O'Neil"], "canManage": true, "flash": "Saved «draft» & done",
            "error": "Couldn't <save>", "notice": "Session expired <again>", "next": "/_edit/?a=1&b=2", "username": "zoë'",
            "canAdd": true, "sites": sites, "hasPending": true, "pending": [["editURL": "/_edit/p1", "title": "Pending <1>", "path": "/a/b"]],
            "hasRecent": true, "recent": [["editURL": "/_edit/r1", "title": "Recent & new", "state": "draft", "stateName": "Draft", "modified": "now"]],
            "isPlatformAdmin": true, "hasSwitchedOff": true, "switchedOff": "search, uploads <all>", "hasScheduled": true,
            "scheduled": [["editURL": "/_edit/s1", "title": "Later 'on'", "effective": "tomorrow"]],
            "crumbs": [["url": "/_edit/contents/", "title": "Contents <root>"]], "canEdit": true, "canShare": true,
            "sharingURL": "/_edit/sharing?path=/news&x=1", "addURL": "/_edit/add?path=/news", "types": [["value": "page", "name": "Page <p>"]],
            "destinations": [["path": "/", "label": "Home «root»"], ["path": "/news", "label": "News & views"]],
            "hasErrors": true, "errors": ["Title <is> required", "Date & time 'invalid'"], "conflict": "Someone else saved version \"3\"",
            "historyURL": "/_edit/history?id=1&a=1", "action": "/_edit/save?id=1&x=2", "type": "news", "version": 7, "e": e, "v": v,
            "showSlug": true, "isEvent": true, "isLink": true, "hasFile": true, "uploadsOff": "Uploads are switched off <for now> & later",
            "currentFile": ["url": "/_files/cur.pdf", "name": "cur'rent <file>.pdf", "size": "3 kB"], "isImage": false, "uploadLimit": "10 MB",
            "hasBody": true, "previewHTML": "<h1>Hola</h1><p><strong>món</strong></p>", "isFolder": true, "cancelURL": "/news/?cancel=1&x=2",
            "hasTransitions": true, "transitions": [["transitionURL": "/_edit/t?id=1", "value": "publish", "name": "Publish <now>"]],
            "deleteURL": "/_edit/delete?id=1",
        ]
        let editorPages: Object = [
            "question": "Delete these items & everything inside?", "confirmLabel": "Delete «2» items",
            "items": [["title": "First <1>", "path": "/a", "descendants": 3, "id": "a1"] as Object, ["title": "Second", "path": "/b", "id": "b2"] as Object],
            "hasDiff": true, "a": 3, "b": 5, "changed": true, "fieldChanges": [["field": "Title", "old": "<old> title", "new": "né'w & title"]],
            "hasBodyDiff": true, "bodyLines": [["kind": "removed", "sign": "-", "text": "old <line>"], ["kind": "added", "sign": "+", "text": "new & line"],
                                               ["kind": "same", "sign": "=", "text": "même"]],
            "revisions": [["version": 5, "isA": false, "isB": true, "isCurrent": true, "date": "today", "author": "Zoë", "comment": "Fixed <typo>", "canRevert": false] as Object,
                          ["version": 3, "isA": true, "isB": false, "date": "yesterday", "author": "Pep", "comment": "First 'draft'", "canRevert": true,
                           "revertURL": "/_edit/revert?id=1&v=3"] as Object],
            "currentVersion": 5,
            "grants": [["user": "zoë", "role": "Editor <e>", "inherited": true, "sharingURL": "/_edit/sharing?path=/", "where": "/ «root»",
                        "username": "zoë", "roleValue": "editor"] as Object,
                       ["user": "pep", "role": "Member", "inherited": false, "username": "pep", "roleValue": "member"] as Object],
            "hasGrants": true, "roles": [["value": "editor", "name": "Editor"], ["value": "member", "name": "Member & guest"]],
            "logoURL": "/_files/logo.png?v=2&x=1", "newPassword": "p@ss<w>rd'\"", "newUser": "nou <user>",
            "people": [["name": "Zoë O'Brien", "username": "zoe", "roles": "Editor & Manager"]], "hasPeople": true, "canCreate": true,
            "flags": [["name": "search", "description": "Full-text <search> & more", "on": true, "changedAt": "1 Mar", "changedBy": "zoë"] as Object,
                      ["name": "uploads", "description": "Uploads 'files'", "on": false] as Object],
        ]
        let platformPages: Object = [
            "count": 42, "sitesURL": "/_edit/sites?x=1&y=2", "q": "caf'é", "range": "1–20 of 42", "noMatch": false,
            "createError": "Id <taken> & 'used'", "createAction": "/_edit/sites/create", "create": ["id": "nou", "name": "Nou <site>", "hostnames": "a.example\nb.example", "copyFrom": "s1"],
            "hasChoices": true, "sources": [["id": "s1", "selected": true, "name": "Site «1»"] as Object, ["id": "s2", "selected": false, "name": "S'2"] as Object],
            "uploadError": "Archive <broken>", "importAction": "/_edit/sites/import", "archiveLimit": "2 GB", "upload": ["id": "imp", "hostnames": "imp.example"],
            "target": ["id": "café", "name": "Café <site>", "active": true, "homeURL": "https://cafe.example/?a=1&b=2", "created": "1 Jan 2024"] as Object,
            "check": ["healthy": false, "summary": "2 problems <found>", "problems": ["file <a> missing", "checksum & size 'differ'"]] as Object,
            "hostnamesAction": "/_edit/sites/cafe/hostnames", "hostnamesError": "taken by 'other' <site>", "hostnames": "a.example\r\nb.example",
            "isCurrent": false, "statusAction": "/_edit/sites/cafe/status", "exportAction": "/_edit/sites/cafe/export",
            "backupFolder": "/var/backups/<portico> & co", "backupAction": "/_edit/sites/cafe/backup", "hasBackups": true, "backups": [["name": "2025-03-01 <a>"]],
            "restoreCommand": "portico site restore café --from '/var/b'", "latestRestore": "portico site restore café --from \"/var/b/2025\"",
            "checkAction": "/_edit/sites/cafe/check", "bakeCommand": "portico site bake café --to /srv/<www>", "deleteAction": "/_edit/sites/cafe/delete",
        ]
        return [publicPages, editor, editorPages, platformPages].reduce(into: Object()) { $0.merge($1) { first, _ in first } }
    }

    static var otherBranches: Object {
        let children: [Object] = [
            ["url": "/a", "title": "Àlpha <a>", "type": "page", "typeName": "Page", "date": "3 Mar", "description": "With \"date\" & text",
             "id": "a", "manageURL": "/_edit/a", "isFolder": false, "state": "private", "stateName": "Private", "modified": "now", "author": "Ona"],
            ["url": "/b", "title": "Bèta", "type": "link", "typeName": "Link <l>", "id": "b", "manageURL": "/_edit/b", "isFolder": true,
             "state": "draft", "stateName": "Draft", "modified": "then", "author": "Pau"],
        ]
        let publicPages: Object = [
            "site": ["name": "Ona & Pau's <site>"], "isHome": true, "pageTitle": "Inici", "css": "/s.css", "accent": "#000000", "home": "/",
            "hasNav": true, "nav": [["url": "/x", "title": "X <x>", "current": false] as Object, ["url": "/y", "title": "Y", "current": true] as Object],
            "hasBreadcrumbs": false, "sitemapURL": "/sitemap.xml",
            "item": ["title": "Títol", "type": "page", "tags": ["a", "b"], "modifiedISO": "2025", "modifiedText": "2025 «any»", "state": "private",
                     "stateName": "Private", "editURL": "/_edit/i", "viewURL": "/i", "isRoot": false] as Object,
            "isNews": false, "hasTags": false, "message": "Maintenance until 'tomorrow' & <later>",
            "image": ["url": "/img.png", "alt": "Alt & <text>"], "hasThread": false,
            "isNewsListing": false, "hasChildren": true, "children": children, "hasNews": false, "hasEvents": false,
            "searchURL": "/search", "searchQuery": "x", "hasQuery": true, "summary": "1 item «matches»", "capped": false, "hasFacets": true,
            "typeFiltered": true, "allTypesURL": "/search?q=x", "facets": [["current": false, "name": "Pages & more", "count": 1, "url": "/search?q=x&t=p"] as Object],
            "hasResults": false, "results": [Any](), "noResults": true,
            "status": 503, "heading": "Switched <off>",
        ]
        let editorPages: Object = [
            // An empty string is left out of the context, by Portico and (see withoutEmptyStrings) for swift-mustache.
            "base": "", "user": ["name": "Ona"], "canManage": false, "csrf": "t", "canAdd": false, "sites": [Any](), "hasPending": false,
            "hasRecent": false, "isPlatformAdmin": true, "hasSwitchedOff": false, "hasScheduled": false,
            "crumbs": [Any](), "canEdit": false, "canShare": false, "hasErrors": false, "action": "/save", "type": "link", "version": 1,
            "v": ["title": "Link «l»", "membersOnly": false, "name": "Ona", "hostnames": "ona.example"] as Object,
            "showSlug": false, "isEvent": false, "isLink": true, "hasFile": true, "isImage": true, "uploadLimit": "5 MB",
            "currentFile": ["url": "/f.png", "name": "f <1>.png", "size": "1 kB"], "hasBody": true, "isFolder": true, "cancelURL": "/",
            "hasTransitions": false,
            "hasDiff": true, "a": 1, "b": 2, "changed": false, "hasBodyDiff": false, "historyURL": "/h",
            "revisions": [["version": 1, "isA": true, "isB": false, "isCurrent": false, "date": "d", "author": "Pau", "comment": "c <1>", "canRevert": true,
                           "revertURL": "/r?v=1"] as Object],
            "currentVersion": 2,
            "grants": [["user": "ona", "role": "Manager", "inherited": true, "sharingURL": "/_edit/sharing?p=/", "where": "/"] as Object],
            "hasGrants": true, "roles": [["value": "manager", "name": "Manager"]],
            "logoURL": "/logo.png?a=1&b=2", "people": [Any](), "hasPeople": false, "canCreate": false,
            "flags": [["name": "search", "description": "Search «all»", "on": false] as Object],
            "count": 0, "sitesURL": "/_edit/sites", "noMatch": true, "hasChoices": false, "create": ["copyFrom": "s'1"], "archiveLimit": "1 GB",
            "target": ["id": "ona", "name": "Ona <site>", "active": false, "created": "2020"] as Object,
            "check": ["healthy": true, "summary": "all 12 files <ok>"] as Object, "hostnames": "ona.example", "isCurrent": true,
            "restoreCommand": "portico site restore ona", "bakeCommand": "portico site bake ona",
        ]
        return publicPages.merging(editorPages) { first, _ in first }
    }

    static var almostNothing: Object {
        [
            "site": ["name": "S"], "nav": [Any](), "breadcrumbs": [Any](), "children": [Any](), "news": [Any](), "events": [Any](),
            "results": [Any](), "facets": [Any](), "filters": [Any](), "sites": [Any](), "pending": [Any](), "recent": [Any](),
            "scheduled": [Any](), "crumbs": [Any](), "types": [Any](), "destinations": [Any](), "errors": [Any](), "transitions": [Any](),
            "items": [Any](), "revisions": [Any](), "fieldChanges": [Any](), "bodyLines": [Any](), "grants": [Any](), "roles": [Any](),
            "people": [Any](), "flags": [Any](), "sources": [Any](), "backups": [Any](),
            "hasNav": false, "isHome": false, "hasChildren": false, "hasNews": false, "hasEvents": false, "hasResults": false,
            "noResults": false, "hasQuery": false, "hasErrors": false, "hasBody": false, "hasFile": false, "hasDiff": false,
            "hasGrants": false, "hasPeople": false, "hasChoices": false, "isCurrent": false, "isPlatformAdmin": false,
        ]
    }

    static var articleWithMessage: Object {
        [
            "site": ["name": "Llista <dev>"], "pageTitle": "Re: [patch] «fix» & more", "css": "/s.css", "home": "/",
            "item": ["title": "Re: [patch] <fix>", "type": "message", "bodyHTML": "<pre>diff --git a/x b/x</pre>", "modifiedText": "ara"] as Object,
            "message": ["from": "Anna \"Ann\" <anna@example.org>", "dateISO": "2025-03-01T10:00:00Z", "dateText": "1 March 2025, 10:00",
                        "list": "dev@example.org"] as Object,
            "from": "outer <from>, for search results without their own",
            "hasThread": true,
            "thread": [["current": true, "title": "Re: [patch] <fix>", "from": "Anna", "date": "1 Mar"] as Object,
                       ["current": false, "url": "/m/2?x=1&y=2", "title": "Re: Re: 'patch'", "from": "Bernat", "date": "2 Mar"] as Object],
            "hasChildren": true, "children": [["url": "/m/1", "title": "Message <1>"]],
            "hasResults": true, "results": [["url": "/m/1", "titleHTML": "<mark>patch</mark>", "typeName": "Message", "date": "1 Mar", "path": "/m/1"]],
        ]
    }

    static var formWithFieldErrors: Object {
        [
            "site": ["name": "Formulari"], "pageTitle": "Edit", "css": "/s.css", "base": "/b", "csrf": "t<o>k", "heading": "Edit «page»",
            "hasErrors": true,
            "errors": [["field": "title", "message": "Title <is> required"] as Object, ["field": "effective", "message": "Date & 'time'"] as Object],
            "e": ["title": "Title <is> required", "effective": "Date & 'time'"] as Object,
            "v": ["title": "", "effective": "20xx"] as Object,
            "action": "/save?a=1&b=2", "type": "page", "version": 2, "hasBody": true, "cancelURL": "/",
            "item": ["state": "draft", "stateName": "Draft", "viewURL": "/p", "title": "P"] as Object,
        ]
    }

    // MARK: - Refused templates

    /// A template Portico must refuse, with the problem on line 3 and a word of the reason.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let template: String
        let reason: String
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(name: "unclosed section", template: "one\ntwo\n{{#open}}\nthree\n", reason: "section {{#open}} is never closed"),
        ErrorCase(name: "unclosed inverted section", template: "one\ntwo\n{{^open}}\nthree\n", reason: "section {{^open}} is never closed"),
        ErrorCase(name: "mismatched closing tag", template: "one\n{{#a}}\n{{/b}}\n", reason: "{{/b}} closes {{#a}} (line 2)"),
        ErrorCase(name: "closing tag without opening", template: "one\ntwo\n{{/a}}\n", reason: "never opened"),
        ErrorCase(name: "unclosed tag", template: "one\ntwo\nthree {{name\nfour\n", reason: "is never closed"),
        ErrorCase(name: "unclosed triple mustache", template: "one\ntwo\n{{{name}}\n", reason: "is never closed"),
        ErrorCase(name: "parent (inheritance)", template: "one\ntwo\n{{<parent}}{{/parent}}\n", reason: "inheritance"),
        ErrorCase(name: "block (inheritance)", template: "one\ntwo\n{{$block}}default{{/block}}\n", reason: "inheritance"),
        ErrorCase(name: "pragma", template: "one\ntwo\n{{%CONTENT_TYPE:TEXT}}\n", reason: "pragmas"),
        ErrorCase(name: "name with a space", template: "one\ntwo\n<p>{{first name}}</p>\n", reason: "no spaces"),
        ErrorCase(name: "empty tag", template: "one\ntwo\n{{}}\n", reason: "needs a name"),
        ErrorCase(name: "transform", template: "one\ntwo\n{{uppercased(name)}}\n", reason: "transforms are not supported"),
        ErrorCase(name: "transform on a section", template: "one\ntwo\n{{#reversed(list)}}{{.}}{{/reversed(list)}}\n", reason: "transforms are not supported"),
        ErrorCase(name: "delimiter change without closing =", template: "one\ntwo\n{{=<% %>}}\n", reason: "must end with ="),
        ErrorCase(name: "delimiter change with one delimiter", template: "one\ntwo\n{{=<%=}}\n", reason: "names two delimiters"),
        ErrorCase(name: "line after a multi-line comment", template: "{{! one\ntwo }}\n{{/x}}\n", reason: "never opened"),
        ErrorCase(name: "line after a delimiter change", template: "{{=<% %>=}}\none\n<%/x%>\n", reason: "never opened"),
    ]

    /// Unsupported or malformed constructs are refused at compile time, naming their line.
    @Test(arguments: ThemeTemplateTests.errorCases)
    func refusedTemplatesNameTheLine(_ errorCase: ErrorCase) {
        let error = #expect(throws: ThemeTemplateError.self) { _ = try ThemeTemplate(errorCase.template) }
        #expect(error?.line == 3)
        #expect(error?.reason.contains(errorCase.reason) == true, "reason: \(error?.reason ?? "none")")
    }

    /// The column points at the tag that is never closed, not at the end of the text.
    @Test func anUnclosedTagReportsItsColumn() {
        let error = #expect(throws: ThemeTemplateError.self) { _ = try ThemeTemplate("one\ntwo\nthree {{name\nfour\n") }
        #expect(error?.line == 3)
        #expect(error?.column == 7)
    }

    /// An operator's broken template stops the theme from loading, and the error names the file.
    @Test(arguments: ["head", "item", "site-admin"])
    func aThemeWithABrokenTemplateNamesTheFile(_ name: String) throws {
        let folder = try Self.themeFolder([name: "one\ntwo\n{{#open}}\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: PorticoError.self) { _ = try Theme(folder: folder) }
        let description = error?.description ?? ""
        #expect(description.contains("\(name).mustache"), "\(description)")
        #expect(description.contains("line 3"), "\(description)")
    }

    // MARK: - Partials that are missing or never end

    /// A template that includes itself stops at the depth limit instead of exhausting the stack.
    @Test func aTemplateIncludingItselfStopsAtTheDepthLimit() throws {
        let folder = try Self.themeFolder(["item": "x{{>item}}"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = try Theme(folder: folder).render("item", [:])
        #expect(html == String(repeating: "x", count: ThemeRenderer.maximumPartialDepth + 1))
    }

    /// Two partials including each other stop at the same limit.
    @Test func partialsIncludingEachOtherStopAtTheDepthLimit() throws {
        let folder = try Self.themeFolder(["item": "{{>head}}", "head": "h{{>foot}}", "foot": "f{{>head}}"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = try Theme(folder: folder).render("item", [:])
        #expect(html.count == ThemeRenderer.maximumPartialDepth)
        #expect(html.hasPrefix("hfhf"))
    }

    /// Partials that each include another twice (2^32 expansions within the depth limit) stop
    /// at the page's budget of partials instead of holding the thread.
    @Test func partialsFanningOutStopAtTheBudget() throws {
        let folder = try Self.themeFolder(["item": "{{>head}}", "head": "h{{>foot}}{{>foot}}", "foot": "f{{>head}}{{>head}}"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = try Theme(folder: folder).render("item", [:])
        #expect(html.count == ThemeRenderer.maximumPartials)
    }

    /// A partial that is not a theme template renders nothing; on a standalone line, not even
    /// the line.
    @Test func aMissingPartialRendersNothing() throws {
        let folder = try Self.themeFolder(["item": "[{{>nonexistent}}]\na\n  {{>nonexistent}}\nb\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try Theme(folder: folder).render("item", [:]) == "[]\na\nb\n")
    }

    /// Typed page values: set, replace, remove and merge keep one value per name, and an
    /// empty text is absent, as it is in a dictionary context.
    @Test func themeFieldsKeepOneValuePerName() throws {
        var fields: ThemeFields = ["title": "First", "empty": "", "shown": true]
        fields["title"] = "Second"
        fields["count"] = 3
        fields["shown"] = nil
        fields.merge(["title": "Third", "list": ["a", "b"]])
        let folder = try Self.themeFolder(["item": "{{title}}|{{count}}|{{#empty}}E{{/empty}}{{^empty}}none{{/empty}}|{{^shown}}gone{{/shown}}|{{#list}}{{.}}{{/list}}"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try Theme(folder: folder).render("item", fields) == "Third|3|none|gone|ab")
        #expect(fields.member("empty") == nil)
        #expect(fields.member("missing") == nil)
    }

    /// The renderer itself renders nothing for a template name it does not have.
    @Test func theRendererRendersNothingForAnUnknownTemplate() throws {
        let template = try ThemeTemplate("{{>missing}}|{{title}}")
        var renderer = ThemeRenderer(templates: ["item": template])
        let context: ThemeValue = .object(["title": "<t>"])
        #expect(renderer.render("unknown", context).isEmpty)
        #expect(String(decoding: renderer.render("item", context), as: UTF8.self) == "|&lt;t&gt;")
    }
}
