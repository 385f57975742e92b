// A small TOML 1.0 parser for Portico's configuration files.
//
// Written in-house rather than taken as a package so PorticoCore keeps no dependencies; it
// covers what real configuration files use and reports every problem with a line and column,
// because the caller turns them into `file:line: key: reason` messages.

/// A TOML value.
///
/// Date-times keep their source text: the caller decides per key whether a local or an
/// offset date-time makes sense, so the parser only checks that the shape is valid TOML.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    /// `nan` never equals itself, exactly like `Double`; check `isNaN` instead.
    case float(Double)
    case boolean(Bool)
    /// An offset or local date-time, a local date or a local time, as written in the source.
    case dateTime(String)
    case array([TOMLValue])
    case table(TOMLTable)
}

extension TOMLValue {
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// Integers are accepted too, so `timeout = 5` works where `5.0` is expected.
    public var doubleValue: Double? {
        switch self {
        case .float(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .boolean(let value) = self { value } else { nil }
    }

    public var dateTimeValue: String? {
        if case .dateTime(let value) = self { value } else { nil }
    }

    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    public var tableValue: TOMLTable? {
        if case .table(let value) = self { value } else { nil }
    }

    /// The TOML name of the value's type, for messages like "expected a string, found integer".
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A TOML table: keys in the order they first appear in the source, each with the line it was
/// defined on, so a configuration loader can point at the offending line.
public struct TOMLTable: Sendable, Equatable {
    private struct Entry: Sendable {
        var value: TOMLValue
        var line: Int?
    }

    private var order: [String] = []
    private var entries: [String: Entry] = [:]

    public init() {}

    /// The keys in source order.
    public var keys: [String] { order }

    public var count: Int { order.count }

    public var isEmpty: Bool { order.isEmpty }

    public subscript(key: String) -> TOMLValue? {
        entries[key]?.value
    }

    /// The 1-based line where `key` was defined: the `key = value` line, the `[table]` header
    /// (the explicit one when a table was first created implicitly by `[table.sub]`) or the
    /// first `[[array]]` header. Nil for unknown keys and for tables built in code.
    public func line(of key: String) -> Int? {
        entries[key]?.line
    }

    /// Adds or replaces a value; a replaced key keeps its position.
    mutating func set(_ key: String, _ value: TOMLValue, line: Int?) {
        if entries.updateValue(Entry(value: value, line: line), forKey: key) == nil {
            order.append(key)
        }
    }

    /// Equality is TOML's: same keys with equal values. Key order and line numbers are
    /// presentation, so they are ignored.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (key, entry) in lhs.entries {
            guard let other = rhs.entries[key], other.value == entry.value else { return false }
        }
        return true
    }
}

extension TOMLTable: ExpressibleByDictionaryLiteral {
    /// Builds a table in code (handy for expected values in tests); it has no line numbers.
    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        self.init()
        for (key, value) in elements {
            set(key, value, line: nil)
        }
    }
}

/// Why a document is not valid TOML, and where. Columns count Unicode scalars from 1.
public struct TOMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}

public enum TOML {
    /// Parses a TOML 1.0 document into its root table.
    ///
    /// Never traps on malformed input: every problem is a `TOMLParseError`. Nesting deeper
    /// than 64 levels is rejected so hostile input cannot exhaust the stack.
    public static func parse(_ text: String) throws(TOMLParseError) -> TOMLTable {
        var parser = TOMLParser(text)
        return try parser.parseDocument()
    }
}

// MARK: - Parser

/// A table while it is being built. A class, because headers and dotted keys reach back into
/// tables created earlier and mutate them in place.
private final class Node {
    /// How the table came to exist; TOML's redefinition rules depend on it.
    enum Kind {
        /// Created only as the parent in a header like `[a.b]`; a later `[a]` may still define it.
        case implicit
        /// Defined by its own header, or the root, or an inline table.
        case explicit
        /// Created by a dotted key such as `a.b = 1`; only further dotted keys may add to it.
        case dotted
    }

    var kind: Kind
    let depth: Int
    /// The dotted path from the root, for error messages.
    let path: String
    var order: [String] = []
    var slots: [String: Slot] = [:]

    init(kind: Kind, depth: Int, path: String) {
        self.kind = kind
        self.depth = depth
        self.path = path
    }

    func set(_ key: String, _ slot: Slot) {
        if slots.updateValue(slot, forKey: key) == nil {
            order.append(key)
        }
    }
}

/// The tables of an `[[array.of.tables]]`, shared so each header can append to it.
private final class NodeList {
    var nodes: [Node] = []
}

private enum Slot {
    case value(TOMLValue, line: Int)
    case table(Node, line: Int)
    case tables(NodeList, line: Int)
}

private struct KeyPart {
    let name: String
    /// Offset of the key part in the source, so errors point at it.
    let position: Int
}

private struct TOMLParser {
    /// Deep enough for any real configuration, shallow enough that recursion cannot overflow.
    static let maxDepth = 64

    let text: [Unicode.Scalar]
    /// Offsets where each line starts, so any offset maps to a line and column on demand.
    let lineStarts: [Int]
    var position = 0
    let root: Node
    /// The table that `key = value` lines currently go into.
    var current: Node

    init(_ source: String) {
        text = Array(source.unicodeScalars)
        var starts = [0]
        for (offset, scalar) in text.enumerated() where scalar == "\n" {
            starts.append(offset + 1)
        }
        lineStarts = starts
        root = Node(kind: .explicit, depth: 0, path: "")
        current = root
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLParseError) -> TOMLTable {
        if peek() == "\u{FEFF}" { position += 1 }
        while true {
            skipWhitespace()
            guard let scalar = peek() else { break }
            if try consumeLineEnd() { continue }
            if scalar == "[" {
                try parseHeader()
                try expectLineEnd(after: "the table header")
            } else if Self.isKeyStart(scalar) {
                try parseKeyValue(into: current)
                try expectLineEnd(after: "the value")
            } else {
                throw error("expected a key or a [table] header, found \(Self.describe(scalar))")
            }
        }
        return Self.freeze(root)
    }

    /// Consumes an optional comment and the end of the line. Returns false, consuming nothing,
    /// when something else follows.
    mutating func consumeLineEnd() throws(TOMLParseError) -> Bool {
        if peek() == "#" { try skipComment() }
        guard let scalar = peek() else { return true }
        if scalar == "\n" {
            position += 1
            return true
        }
        if scalar == "\r", peek(1) == "\n" {
            position += 2
            return true
        }
        return false
    }

    mutating func expectLineEnd(after what: String) throws(TOMLParseError) {
        skipWhitespace()
        if try consumeLineEnd() { return }
        throw error("expected the end of the line after \(what), found \(Self.describe(peek()))")
    }

    mutating func skipComment() throws(TOMLParseError) {
        position += 1
        while let scalar = peek() {
            if scalar == "\n" || (scalar == "\r" && peek(1) == "\n") { return }
            if Self.isControl(scalar) {
                throw error("control character \(Self.hex(scalar)) is not allowed in a comment")
            }
            position += 1
        }
    }

    mutating func skipWhitespace() {
        while let scalar = peek(), scalar == " " || scalar == "\t" { position += 1 }
    }

    /// Whitespace, newlines and comments, all allowed between array elements.
    mutating func skipBlank() throws(TOMLParseError) {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" {
                position += 1
            } else if scalar == "\r", peek(1) == "\n" {
                position += 2
            } else if scalar == "#" {
                try skipComment()
            } else {
                return
            }
        }
    }

    // MARK: Keys and tables

    mutating func parseKey() throws(TOMLParseError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            skipWhitespace()
            let start = position
            guard let scalar = peek() else { throw error("expected a key, found end of input") }
            let name: String
            if scalar == "\"" || scalar == "'" {
                if peek(1) == scalar, peek(2) == scalar {
                    throw error("a key cannot be a multi-line string")
                }
                name = scalar == "\"" ? try parseBasicString() : try parseLiteralString()
            } else if Self.isBare(scalar) {
                var scalars = String.UnicodeScalarView()
                while let next = peek(), Self.isBare(next) {
                    scalars.append(next)
                    position += 1
                }
                name = String(scalars)
            } else {
                throw error("expected a key, found \(Self.describe(scalar))")
            }
            parts.append(KeyPart(name: name, position: start))
            guard parts.count <= Self.maxDepth else {
                throw error("a key cannot have more than \(Self.maxDepth) dotted parts", at: start)
            }
            skipWhitespace()
            guard peek() == "." else { return parts }
            position += 1
        }
    }

    /// Parses `key = value` into `table`, creating the tables a dotted key names.
    mutating func parseKeyValue(into table: Node) throws(TOMLParseError) {
        let keyStart = position
        let parts = try parseKey()
        guard peek() == "=" else {
            let key = parts.map(\.name).map(Self.quoteIfNeeded).joined(separator: ".")
            throw error("expected '=' after the key '\(key)', found \(Self.describe(peek()))")
        }
        position += 1
        skipWhitespace()
        let line = lineNumber(at: keyStart)

        var target = table
        for part in parts.dropLast() {
            let path = Self.join(target.path, part.name)
            switch target.slots[part.name] {
            case nil:
                let node = try makeNode(.dotted, named: part.name, under: target, at: part.position)
                target.set(part.name, .table(node, line: line))
                target = node
            case .table(let node, _) where node.kind == .dotted:
                target = node
            case .table(_, let defined):
                throw error("cannot add to the table '\(path)' (line \(defined)) with a dotted key: it is created by a [table] header", at: part.position)
            case .tables(_, let defined):
                throw error("cannot add to the array of tables '\(path)' (line \(defined)) with a dotted key", at: part.position)
            case .value(.table, let defined):
                throw error("cannot add to the inline table '\(path)' (line \(defined)): inline tables are complete once written", at: part.position)
            case .value(_, let defined):
                throw error("'\(path)' is already a value (line \(defined)), it cannot also be a table", at: part.position)
            }
        }
        guard let last = parts.last else { throw error("expected a key") }
        let path = Self.join(target.path, last.name)
        switch target.slots[last.name] {
        case nil:
            break
        case .value(_, let defined):
            throw error("duplicate key '\(path)', first defined on line \(defined)", at: last.position)
        case .table(_, let defined):
            throw error("duplicate key '\(path)': it is already a table (line \(defined))", at: last.position)
        case .tables(_, let defined):
            throw error("duplicate key '\(path)': it is already an array of tables (line \(defined))", at: last.position)
        }
        let value = try parseValue(depth: target.depth + 1, path: path)
        target.set(last.name, .value(value, line: line))
    }

    /// Parses `[a.b]` or `[[a.b]]` and makes the named table the current one.
    mutating func parseHeader() throws(TOMLParseError) {
        let start = position
        position += 1
        let isArray = peek() == "["
        if isArray { position += 1 }
        let parts = try parseKey()
        let closing = isArray ? "]]" : "]"
        guard peek() == "]" else {
            throw error("expected '\(closing)' to close the table header, found \(Self.describe(peek()))")
        }
        position += 1
        if isArray {
            guard peek() == "]" else {
                throw error("expected ']]' to close the array of tables header, found \(Self.describe(peek()))")
            }
            position += 1
        }
        let line = lineNumber(at: start)

        var table = root
        for (index, part) in parts.enumerated() {
            let path = Self.join(table.path, part.name)
            let existing = table.slots[part.name]
            if index < parts.count - 1 {
                switch existing {
                case nil:
                    let node = try makeNode(.implicit, named: part.name, under: table, at: part.position)
                    table.set(part.name, .table(node, line: line))
                    table = node
                case .table(let node, _):
                    table = node
                case .tables(let list, _):
                    guard let last = list.nodes.last else { throw error("internal error: empty array of tables", at: part.position) }
                    table = last
                case .value(.table, let defined):
                    throw error("cannot add to the inline table '\(path)' (line \(defined)): inline tables are complete once written", at: part.position)
                case .value(_, let defined):
                    throw error("'\(path)' is already a value (line \(defined)), it cannot also be a table", at: part.position)
                }
            } else if isArray {
                let list: NodeList
                switch existing {
                case nil:
                    list = NodeList()
                    table.set(part.name, .tables(list, line: line))
                case .tables(let existingList, _):
                    list = existingList
                case .table(_, let defined):
                    throw error("cannot define the array of tables [[\(path)]]: '\(path)' is already a table (line \(defined))", at: part.position)
                case .value(.array, let defined):
                    throw error("cannot append to the array '\(path)' (line \(defined)) with [[\(path)]]: it is an inline array", at: part.position)
                case .value(_, let defined):
                    throw error("'\(path)' is already a value (line \(defined)), it cannot also be an array of tables", at: part.position)
                }
                let node = try makeNode(.explicit, named: part.name, under: table, at: part.position)
                list.nodes.append(node)
                current = node
            } else {
                switch existing {
                case nil:
                    let node = try makeNode(.explicit, named: part.name, under: table, at: part.position)
                    table.set(part.name, .table(node, line: line))
                    current = node
                case .table(let node, _) where node.kind == .implicit:
                    node.kind = .explicit
                    table.set(part.name, .table(node, line: line))
                    current = node
                case .table(let node, let defined) where node.kind == .dotted:
                    throw error("table [\(path)] is already defined by dotted keys on line \(defined)", at: part.position)
                case .table(_, let defined):
                    throw error("table [\(path)] is defined twice, first on line \(defined)", at: part.position)
                case .tables(_, let defined):
                    throw error("'\(path)' is already an array of tables (line \(defined)), it cannot also be a table", at: part.position)
                case .value(_, let defined):
                    throw error("'\(path)' is already a value (line \(defined)), it cannot also be a table", at: part.position)
                }
            }
        }
    }

    func makeNode(_ kind: Node.Kind, named name: String, under parent: Node, at offset: Int) throws(TOMLParseError) -> Node {
        guard parent.depth < Self.maxDepth else {
            throw error("tables are nested more than \(Self.maxDepth) levels deep", at: offset)
        }
        return Node(kind: kind, depth: parent.depth + 1, path: Self.join(parent.path, name))
    }

    // MARK: Values

    mutating func parseValue(depth: Int, path: String) throws(TOMLParseError) -> TOMLValue {
        guard depth <= Self.maxDepth else {
            throw error("values are nested more than \(Self.maxDepth) levels deep")
        }
        guard let scalar = peek() else { throw error("expected a value, found end of input") }
        switch scalar {
        case "\"":
            if peek(1) == "\"", peek(2) == "\"" { return .string(try parseMultilineString(literal: false)) }
            return .string(try parseBasicString())
        case "'":
            if peek(1) == "'", peek(2) == "'" { return .string(try parseMultilineString(literal: true)) }
            return .string(try parseLiteralString())
        case "[":
            return try parseArray(depth: depth, path: path)
        case "{":
            return try parseInlineTable(depth: depth, path: path)
        default:
            guard Self.isTokenScalar(scalar) else {
                throw error("expected a value, found \(Self.describe(scalar))")
            }
            return try parseBareValue()
        }
    }

    mutating func parseArray(depth: Int, path: String) throws(TOMLParseError) -> TOMLValue {
        let start = position
        position += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlank()
            guard let scalar = peek() else { throw error("unterminated array: missing ']'", at: start) }
            if scalar == "]" {
                position += 1
                return .array(items)
            }
            items.append(try parseValue(depth: depth + 1, path: path))
            try skipBlank()
            guard let next = peek() else { throw error("unterminated array: missing ']'", at: start) }
            if next == "," {
                position += 1
            } else if next == "]" {
                position += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']' in the array, found \(Self.describe(next))")
            }
        }
    }

    /// Inline tables follow TOML 1.0: one line, no trailing comma.
    mutating func parseInlineTable(depth: Int, path: String) throws(TOMLParseError) -> TOMLValue {
        let start = position
        position += 1
        let node = Node(kind: .explicit, depth: depth, path: path)
        skipWhitespace()
        if peek() == "}" {
            position += 1
            return .table(Self.freeze(node))
        }
        while true {
            skipWhitespace()
            guard let scalar = peek() else { throw error("unterminated inline table: missing '}'", at: start) }
            if scalar == "\n" || scalar == "\r" {
                throw error("an inline table must be on a single line")
            }
            if scalar == "}" {
                throw error("a trailing comma is not allowed in an inline table")
            }
            try parseKeyValue(into: node)
            skipWhitespace()
            guard let next = peek() else { throw error("unterminated inline table: missing '}'", at: start) }
            if next == "," {
                position += 1
            } else if next == "}" {
                position += 1
                return .table(Self.freeze(node))
            } else if next == "\n" || next == "\r" {
                throw error("an inline table must be on a single line")
            } else {
                throw error("expected ',' or '}' in the inline table, found \(Self.describe(next))")
            }
        }
    }

    /// Booleans, numbers, inf/nan and date-times: everything written without quotes or brackets.
    mutating func parseBareValue() throws(TOMLParseError) -> TOMLValue {
        let start = position
        var token: [Unicode.Scalar] = []
        readToken(into: &token)
        // A date and a time may be separated by a space instead of 'T'.
        if token.count == 10, Self.isDateShaped(token), peek() == " ",
           let first = peek(1), let second = peek(2), Self.isDigit(first), Self.isDigit(second), peek(3) == ":" {
            token.append(" ")
            position += 1
            readToken(into: &token)
        }
        let raw = String(String.UnicodeScalarView(token))
        switch raw {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan": return .float(.nan)
        case "-nan": return .float(-.nan)
        default: break
        }
        if Self.isDateShaped(token) || Self.isTimeShaped(token) {
            guard Self.isValidDateTime(token) else {
                throw error("invalid date-time '\(raw)'", at: start)
            }
            return .dateTime(raw)
        }
        if let first = token.first, Self.isDigit(first) || first == "+" || first == "-" {
            return try parseNumber(token, raw: raw, at: start)
        }
        if token.allSatisfy(Self.isBare) {
            throw error("invalid value '\(raw)': strings must be quoted", at: start)
        }
        throw error("invalid value '\(raw)'", at: start)
    }

    mutating func readToken(into token: inout [Unicode.Scalar]) {
        while let scalar = peek(), Self.isTokenScalar(scalar) {
            token.append(scalar)
            position += 1
        }
    }

    func parseNumber(_ token: [Unicode.Scalar], raw: String, at start: Int) throws(TOMLParseError) -> TOMLValue {
        func invalid(_ reason: String? = nil) -> TOMLParseError {
            error("invalid number '\(raw)'" + (reason.map { ": \($0)" } ?? ""), at: start)
        }
        var index = 0
        var hasSign = false
        if let first = token.first, first == "+" || first == "-" {
            hasSign = true
            index = 1
        }

        // Hexadecimal, octal and binary integers.
        if index + 1 < token.count, token[index] == "0" {
            let radix: Int? = switch token[index + 1] {
            case "x": 16
            case "o": 8
            case "b": 2
            default: nil
            }
            if let radix {
                if hasSign { throw invalid("hexadecimal, octal and binary integers cannot have a sign") }
                let digits = try checkedDigits(token[(index + 2)...], radix: radix, invalid: invalid)
                guard let value = Int64(digits, radix: radix) else { throw invalid("out of range for a 64-bit integer") }
                return .integer(value)
            }
        }

        // Decimal integers and floats: int [. frac] [e exp].
        var end = index
        while end < token.count, token[end] != ".", token[end] != "e", token[end] != "E" { end += 1 }
        let integerPart = try checkedDigits(token[index..<end], radix: 10, invalid: invalid)
        if integerPart.count > 1, integerPart.hasPrefix("0") {
            throw invalid("leading zeros are not allowed")
        }
        var isFloat = false
        var cursor = end
        if cursor < token.count, token[cursor] == "." {
            isFloat = true
            cursor += 1
            var fractionEnd = cursor
            while fractionEnd < token.count, token[fractionEnd] != "e", token[fractionEnd] != "E" { fractionEnd += 1 }
            _ = try checkedDigits(token[cursor..<fractionEnd], radix: 10, invalid: invalid)
            cursor = fractionEnd
        }
        if cursor < token.count, token[cursor] == "e" || token[cursor] == "E" {
            isFloat = true
            cursor += 1
            if cursor < token.count, token[cursor] == "+" || token[cursor] == "-" { cursor += 1 }
            // Exponents may have leading zeros.
            _ = try checkedDigits(token[cursor...], radix: 10, invalid: invalid)
            cursor = token.count
        }
        guard cursor == token.count else { throw invalid() }

        let cleaned = String(String.UnicodeScalarView(token.filter { $0 != "_" }))
        if isFloat {
            guard let value = Double(cleaned), value.isFinite else { throw invalid("out of range for a 64-bit float") }
            return .float(value)
        }
        guard let value = Int64(cleaned) else { throw invalid("out of range for a 64-bit integer") }
        return .integer(value)
    }

    /// Checks digits with optional single underscores between them; returns them without underscores.
    func checkedDigits(_ digits: ArraySlice<Unicode.Scalar>, radix: Int, invalid: (String?) -> TOMLParseError) throws(TOMLParseError) -> String {
        guard !digits.isEmpty else { throw invalid("missing digits") }
        var result = String.UnicodeScalarView()
        var previousWasDigit = false
        for scalar in digits {
            if scalar == "_" {
                guard previousWasDigit else {
                    throw invalid(result.isEmpty ? "an underscore must be between digits" : "double underscores are not allowed")
                }
                previousWasDigit = false
                continue
            }
            guard let value = Self.hexValue(scalar), Int(value) < radix else { throw invalid(nil) }
            result.append(scalar)
            previousWasDigit = true
        }
        guard previousWasDigit else { throw invalid("an underscore must be between digits") }
        return String(result)
    }

    // MARK: Strings

    mutating func parseBasicString() throws(TOMLParseError) -> String {
        let start = position
        position += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw unterminatedString(at: start) }
            if scalar == "\"" {
                position += 1
                return String(result)
            } else if scalar == "\\" {
                result.append(try parseEscape(stringStart: start))
            } else if scalar == "\n" || (scalar == "\r" && peek(1) == "\n") {
                throw unterminatedString(at: start)
            } else if Self.isControl(scalar) {
                throw error("control character \(Self.hex(scalar)) must be escaped in a string")
            } else {
                result.append(scalar)
                position += 1
            }
        }
    }

    mutating func parseLiteralString() throws(TOMLParseError) -> String {
        let start = position
        position += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw unterminatedString(at: start) }
            if scalar == "'" {
                position += 1
                return String(result)
            } else if scalar == "\n" || (scalar == "\r" && peek(1) == "\n") {
                throw unterminatedString(at: start)
            } else if Self.isControl(scalar) {
                throw error("control character \(Self.hex(scalar)) is not allowed in a literal string")
            } else {
                result.append(scalar)
                position += 1
            }
        }
    }

    func unterminatedString(at start: Int) -> TOMLParseError {
        let quote = text.indices.contains(start) ? text[start] : "\""
        return error("unterminated string: missing closing \(quote) on this line", at: start)
    }

    /// `"""…"""` (with escapes) or `'''…'''` (without). Newlines are normalised to "\n".
    mutating func parseMultilineString(literal: Bool) throws(TOMLParseError) -> String {
        let start = position
        let quote: Unicode.Scalar = literal ? "'" : "\""
        position += 3
        // A newline right after the opening delimiter is trimmed.
        if peek() == "\n" {
            position += 1
        } else if peek() == "\r", peek(1) == "\n" {
            position += 2
        }
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else {
                throw error("unterminated multi-line string: missing closing \(quote)\(quote)\(quote)", at: start)
            }
            if scalar == quote {
                var count = 0
                while peek(count) == quote { count += 1 }
                position += count
                if count < 3 {
                    for _ in 0..<count { result.append(quote) }
                    continue
                }
                // Up to two quotes may sit right before the closing delimiter.
                guard count <= 5 else {
                    throw error("too many quotes in a row in a multi-line string", at: position - count)
                }
                for _ in 0..<(count - 3) { result.append(quote) }
                return String(result)
            } else if scalar == "\n" {
                result.append("\n")
                position += 1
            } else if scalar == "\r", peek(1) == "\n" {
                result.append("\n")
                position += 2
            } else if scalar == "\\", !literal {
                // A backslash ending a line swallows the newline and the whitespace after it.
                var lookahead = 1
                while peek(lookahead) == " " || peek(lookahead) == "\t" { lookahead += 1 }
                if peek(lookahead) == "\n" || (peek(lookahead) == "\r" && peek(lookahead + 1) == "\n") {
                    position += lookahead
                    try skipBlankWithoutComments()
                } else {
                    result.append(try parseEscape(stringStart: start))
                }
            } else if Self.isControl(scalar) {
                throw error("control character \(Self.hex(scalar)) is not allowed in a string")
            } else {
                result.append(scalar)
                position += 1
            }
        }
    }

    mutating func skipBlankWithoutComments() throws(TOMLParseError) {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" {
                position += 1
            } else if scalar == "\r", peek(1) == "\n" {
                position += 2
            } else {
                return
            }
        }
    }

    mutating func parseEscape(stringStart: Int) throws(TOMLParseError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let scalar = peek() else { throw unterminatedString(at: stringStart) }
        position += 1
        switch scalar {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let length = scalar == "u" ? 4 : 8
            var value: UInt32 = 0
            for offset in 0..<length {
                guard let digit = peek(offset).flatMap(Self.hexValue) else {
                    throw error("invalid escape '\\\(scalar)': expected \(length) hexadecimal digits", at: start)
                }
                value = value * 16 + digit
            }
            position += length
            guard let result = Unicode.Scalar(value) else {
                throw error("invalid escape '\\\(scalar)': \(Self.hex(value)) is not a Unicode scalar value", at: start)
            }
            return result
        default:
            if Self.isControl(scalar) || scalar == " " {
                throw error("invalid escape sequence: a backslash followed by \(Self.describe(scalar))", at: start)
            }
            throw error("invalid escape sequence '\\\(scalar)'", at: start)
        }
    }

    // MARK: Results and errors

    static func freeze(_ node: Node) -> TOMLTable {
        var table = TOMLTable()
        for key in node.order {
            switch node.slots[key] {
            case .value(let value, let line):
                table.set(key, value, line: line)
            case .table(let child, let line):
                table.set(key, .table(freeze(child)), line: line)
            case .tables(let list, let line):
                table.set(key, .array(list.nodes.map { .table(freeze($0)) }), line: line)
            case nil:
                break
            }
        }
        return table
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let index = position + offset
        return index >= 0 && index < text.count ? text[index] : nil
    }

    func location(of offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }

    func lineNumber(at offset: Int) -> Int {
        location(of: offset).line
    }

    func error(_ message: String, at offset: Int? = nil) -> TOMLParseError {
        let (line, column) = location(of: offset ?? position)
        return TOMLParseError(line: line, column: column, message: message)
    }

    // MARK: Character classes

    static func isBare(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    static func isKeyStart(_ scalar: Unicode.Scalar) -> Bool {
        isBare(scalar) || scalar == "\"" || scalar == "'"
    }

    /// Scalars that can appear in an unquoted value: numbers, booleans, inf/nan, date-times.
    static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        isBare(scalar) || scalar == "+" || scalar == "." || scalar == ":"
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar >= "0" && scalar <= "9"
    }

    /// Control characters TOML forbids in strings and comments (tab is allowed).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F
    }

    static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f": scalar.value - 87
        case "A"..."F": scalar.value - 55
        default: nil
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        hex(scalar.value)
    }

    static func describe(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "end of input" }
        switch scalar {
        case "\n": return "a newline"
        case "\r": return "a carriage return (U+000D) without a newline"
        case " ": return "a space"
        case "\t": return "a tab"
        default:
            if isControl(scalar) || scalar.properties.generalCategory == .format { return hex(scalar) }
            return "'\(scalar)'"
        }
    }

    static func join(_ path: String, _ name: String) -> String {
        let part = quoteIfNeeded(name)
        return path.isEmpty ? part : path + "." + part
    }

    static func quoteIfNeeded(_ name: String) -> String {
        if !name.isEmpty, name.unicodeScalars.allSatisfy(isBare) { return name }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in name.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }

    static func isDateShaped(_ token: [Unicode.Scalar]) -> Bool {
        token.count >= 5 && token[0..<4].allSatisfy(isDigit) && token[4] == "-"
    }

    static func isTimeShaped(_ token: [Unicode.Scalar]) -> Bool {
        token.count >= 3 && token[0..<2].allSatisfy(isDigit) && token[2] == ":"
    }

    /// RFC 3339 shapes TOML allows: date-time with offset, local date-time, local date, local time.
    static func isValidDateTime(_ token: [Unicode.Scalar]) -> Bool {
        var index = 0
        func number(_ length: Int) -> Int? {
            guard index + length <= token.count else { return nil }
            var value = 0
            for scalar in token[index..<(index + length)] {
                guard isDigit(scalar) else { return nil }
                value = value * 10 + Int(scalar.value - 48)
            }
            index += length
            return value
        }
        func skip(_ scalar: Unicode.Scalar) -> Bool {
            guard index < token.count, token[index] == scalar else { return false }
            index += 1
            return true
        }
        func time() -> Bool {
            guard let hour = number(2), hour < 24, skip(":"),
                  let minute = number(2), minute < 60, skip(":"),
                  let second = number(2), second <= 60 else { return false }
            if skip(".") {
                let fractionStart = index
                while index < token.count, isDigit(token[index]) { index += 1 }
                guard index > fractionStart else { return false }
            }
            return true
        }

        if isTimeShaped(token) {
            return time() && index == token.count
        }
        guard let year = number(4), skip("-"),
              let month = number(2), (1...12).contains(month), skip("-"),
              let day = number(2), day >= 1, day <= daysIn(month: month, year: year) else { return false }
        if index == token.count { return true }
        guard skip("T") || skip("t") || skip(" "), time() else { return false }
        if index == token.count { return true }
        if skip("Z") || skip("z") { return index == token.count }
        guard skip("+") || skip("-"),
              let hour = number(2), hour < 24, skip(":"),
              let minute = number(2), minute < 60 else { return false }
        return index == token.count
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
