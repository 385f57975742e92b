/// A Mustache template compiled once, when the theme is loaded, into a tree of nodes that
/// renders typed values (`ThemeValue`) straight into UTF-8 bytes.
///
/// Portico renders its theme with this instead of swift-mustache's renderer, which walks
/// `[String: Any]` contexts through a dynamic protocol cast per lookup and per context level,
/// splits every dotted name on every lookup and joins the page from one `String` per tag: a
/// third of the CPU of an uncached page. What is supported is the Mustache specification's
/// core: `{{name}}`, `{{{name}}}` and `{{&name}}`, dotted names and `{{.}}`, sections and
/// inverted sections, comments, partials (with the indentation of a standalone partial) and
/// `{{=<% %>=}}` delimiter changes, with the specification's standalone-line rules. Lambdas,
/// template inheritance (`{{<…}}`, `{{$…}}`), pragmas and swift-mustache's transforms are
/// refused with an error that names the line, so a theme never renders half-understood.
struct ThemeTemplate: Sendable {
    /// A name as written in a tag, split once: `item.title` is `["item", "title"]`; `.` is `[]`.
    struct Name: Sendable, Equatable {
        let parts: [String]
        var text: String { parts.isEmpty ? "." : parts.joined(separator: ".") }
    }

    indirect enum Node: Sendable {
        case text([UInt8])
        case value(Name, escaped: Bool)
        case section(Name, [Node], inverted: Bool)
        case partial(String, indentation: [UInt8])
    }

    let nodes: [Node]

    /// Compiles `text`. Throws `ThemeTemplateError` naming the line and column of the problem.
    init(_ text: String) throws(ThemeTemplateError) {
        var scanner = ThemeTemplateScanner(Array(text.utf8))
        let tokens = try scanner.tokens()
        nodes = try Self.tree(Self.withoutStandaloneLines(tokens))
    }

    // MARK: Standalone lines

    /// Applies the specification's standalone rule: a line holding nothing but whitespace and
    /// one section, inverted section, closing, comment, partial or delimiter tag renders
    /// nothing at all, not even its line break; a standalone partial's leading whitespace
    /// becomes the indentation of every line it renders.
    static func withoutStandaloneLines(_ tokens: [ThemeTemplateScanner.Token]) -> [ThemeTemplateScanner.Token] {
        var result: [ThemeTemplateScanner.Token] = []
        result.reserveCapacity(tokens.count)
        var line: [ThemeTemplateScanner.Token] = []
        func finishLine() {
            defer { line.removeAll(keepingCapacity: true) }
            let tags = line.filter { if case .tag = $0 { return true } else { return false } }
            guard tags.count == 1, case .tag(let tag) = tags[0], tag.kind.mayStandAlone else {
                result.append(contentsOf: line)
                return
            }
            var indentation: [UInt8] = []
            var beforeTag = true
            for token in line {
                switch token {
                case .tag: beforeTag = false
                case .text(let bytes):
                    guard isBlank(bytes, allowingLineEnd: !beforeTag) else {
                        result.append(contentsOf: line)
                        return
                    }
                    if beforeTag { indentation += bytes }
                }
            }
            var standalone = tag
            if tag.kind == .partial { standalone.indentation = indentation }
            result.append(.tag(standalone))
        }
        for token in tokens {
            line.append(token)
            if case .text(let bytes) = token, bytes.last == UInt8(ascii: "\n") { finishLine() }
        }
        finishLine()
        return result
    }

    /// Only spaces and tabs, then (after the tag) an optional line end.
    private static func isBlank(_ bytes: [UInt8], allowingLineEnd: Bool) -> Bool {
        var body = bytes[...]
        if allowingLineEnd, body.last == UInt8(ascii: "\n") {
            body = body.dropLast()
            if body.last == UInt8(ascii: "\r") { body = body.dropLast() }
        }
        return body.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    // MARK: Tree

    /// Appends `node`; adjacent text (split at line ends by the scanner) is joined back into one node.
    private static func append(_ node: Node, to nodes: inout [Node]) {
        if case .text(let bytes) = node, case .text(let previous)? = nodes.last {
            nodes[nodes.count - 1] = .text(previous + bytes)
        } else {
            nodes.append(node)
        }
    }

    private struct OpenSection {
        let tag: ThemeTemplateScanner.Tag
        var nodes: [Node] = []
    }

    private static func tree(_ tokens: [ThemeTemplateScanner.Token]) throws(ThemeTemplateError) -> [Node] {
        var open: [OpenSection] = []
        var nodes: [Node] = []
        func append(_ node: Node) {
            if open.isEmpty { Self.append(node, to: &nodes) } else { Self.append(node, to: &open[open.count - 1].nodes) }
        }
        for token in tokens {
            switch token {
            case .text(let bytes):
                if !bytes.isEmpty { append(.text(bytes)) }
            case .tag(let tag):
                switch tag.kind {
                case .escaped: append(.value(tag.name, escaped: true))
                case .unescaped: append(.value(tag.name, escaped: false))
                case .section, .inverted: open.append(OpenSection(tag: tag))
                case .close:
                    guard let section = open.popLast() else {
                        throw ThemeTemplateError(line: tag.line, column: tag.column, reason: "{{/\(tag.name.text)}} closes a section that was never opened")
                    }
                    guard section.tag.name == tag.name else {
                        throw ThemeTemplateError(line: tag.line, column: tag.column, reason: "{{/\(tag.name.text)}} closes {{\(section.tag.kind == .inverted ? "^" : "#")\(section.tag.name.text)}} (line \(section.tag.line))")
                    }
                    append(.section(section.tag.name, section.nodes, inverted: section.tag.kind == .inverted))
                case .partial: append(.partial(tag.name.parts.joined(separator: "."), indentation: tag.indentation))
                case .comment, .delimiters: break
                }
            }
        }
        if let unclosed = open.last {
            throw ThemeTemplateError(line: unclosed.tag.line, column: unclosed.tag.column, reason: "section {{\(unclosed.tag.kind == .inverted ? "^" : "#")\(unclosed.tag.name.text)}} is never closed")
        }
        return nodes
    }
}

/// Why a theme template does not compile, and where.
struct ThemeTemplateError: Error, Equatable, CustomStringConvertible {
    let line: Int
    let column: Int
    let reason: String
    var description: String { "line \(line), column \(column): \(reason)" }
}

/// Splits a template into text and tags, following delimiter changes. Text is cut after every
/// line break, so that the standalone rule can look at one line at a time.
struct ThemeTemplateScanner {
    enum Kind: Equatable {
        case escaped, unescaped, section, inverted, close, comment, partial, delimiters
        var mayStandAlone: Bool { self != .escaped && self != .unescaped }
    }

    struct Tag {
        let kind: Kind
        let name: ThemeTemplate.Name
        let line: Int
        let column: Int
        var indentation: [UInt8] = []
    }

    enum Token {
        case text([UInt8])
        case tag(Tag)
    }

    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var open: [UInt8] = Array("{{".utf8)
    private var close: [UInt8] = Array("}}".utf8)

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func tokens() throws(ThemeTemplateError) -> [Token] {
        var tokens: [Token] = []
        while position < bytes.count {
            let tagStart = find(open, from: position) ?? bytes.count
            appendText(upTo: tagStart, to: &tokens)
            guard tagStart < bytes.count else { break }
            tokens.append(.tag(try tag(at: tagStart)))
        }
        return tokens
    }

    private mutating func appendText(upTo end: Int, to tokens: inout [Token]) {
        var start = position
        while position < end {
            if bytes[position] == UInt8(ascii: "\n") {
                tokens.append(.text(Array(bytes[start...position])))
                position += 1
                start = position
                line += 1
                lineStart = position
            } else {
                position += 1
            }
        }
        if start < end { tokens.append(.text(Array(bytes[start..<end]))) }
    }

    private mutating func tag(at start: Int) throws(ThemeTemplateError) -> Tag {
        let column = start - lineStart + 1
        let tagLine = line
        func failure(_ reason: String) -> ThemeTemplateError { ThemeTemplateError(line: tagLine, column: column, reason: reason) }
        var contentStart = start + open.count
        var closing = close
        let triple = open == Array("{{".utf8) && contentStart < bytes.count && bytes[contentStart] == UInt8(ascii: "{")
        if triple {
            contentStart += 1
            closing = [UInt8(ascii: "}")] + close
        }
        guard let contentEnd = find(closing, from: contentStart) else {
            throw failure("tag \(String(decoding: open, as: UTF8.self)) is never closed")
        }
        // Line breaks inside a tag (a multi-line comment) still count for later positions.
        for index in start..<contentEnd where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        position = contentEnd + closing.count
        var content = bytes[contentStart..<contentEnd]
        var kind = Kind.escaped
        if triple {
            kind = .unescaped
        } else if let sigil = content.first {
            switch sigil {
            case UInt8(ascii: "#"): kind = .section
            case UInt8(ascii: "^"): kind = .inverted
            case UInt8(ascii: "/"): kind = .close
            case UInt8(ascii: "!"): kind = .comment
            case UInt8(ascii: ">"): kind = .partial
            case UInt8(ascii: "&"): kind = .unescaped
            case UInt8(ascii: "="): kind = .delimiters
            case UInt8(ascii: "<"), UInt8(ascii: "$"): throw failure("template inheritance ({{< and {{$) is not supported")
            case UInt8(ascii: "%"): throw failure("pragmas ({{%) are not supported")
            default: break
            }
            if kind != .escaped { content = content.dropFirst() }
        }
        switch kind {
        case .comment:
            return Tag(kind: .comment, name: .init(parts: []), line: tagLine, column: column)
        case .delimiters:
            guard content.last == UInt8(ascii: "=") else { throw failure("a delimiter change must end with =") }
            let pair = content.dropLast().split(whereSeparator: Self.isSpace)
            guard pair.count == 2, !pair[0].contains(UInt8(ascii: "=")), !pair[1].contains(UInt8(ascii: "=")) else {
                throw failure("a delimiter change names two delimiters, as in {{=<% %>=}}")
            }
            open = Array(pair[0])
            close = Array(pair[1])
            return Tag(kind: .delimiters, name: .init(parts: []), line: tagLine, column: column)
        default:
            let name = String(decoding: content.drop(while: Self.isSpace).reversed().drop(while: Self.isSpace).reversed(), as: UTF8.self)
            guard !name.isEmpty else { throw failure("a tag needs a name") }
            guard !name.utf8.contains(where: Self.isSpace) else { throw failure("\"\(name)\" is not a name (names have no spaces)") }
            guard !name.contains("(") else { throw failure("\"\(name)\": transforms are not supported") }
            if name == "." { return Tag(kind: kind, name: .init(parts: []), line: tagLine, column: column) }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !parts.contains(where: \.isEmpty) else { throw failure("\"\(name)\" is not a name") }
            return Tag(kind: kind, name: .init(parts: parts), line: tagLine, column: column)
        }
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= bytes.count else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
