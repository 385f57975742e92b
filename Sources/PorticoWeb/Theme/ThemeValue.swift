import PorticoCore

/// A value a theme template sees: text, a flag, a list or an object of named values.
///
/// Public pages build `ThemeFields`: typed values, so a render neither casts nor converts
/// (looking names up in `[String: Any]` with a dynamic cast per value, and converting the
/// lists it found, was a tenth of an uncached page's CPU). Other pages (the editor) may still
/// hand over `[String: Any]`: such an object keeps its dictionary and a member becomes a
/// `ThemeValue` only when a template looks it up.
enum ThemeValue {
    case text(String)
    case flag(Bool)
    case list([ThemeValue])
    case fields(ThemeFields)
    case object([String: Any])

    init(_ value: Any) {
        switch value {
        case let text as String: self = .text(text)
        case let flag as Bool: self = .flag(flag)
        case let object as [String: Any]: self = .object(object)
        case let objects as [[String: Any]]: self = .list(objects.map { .object($0) })
        // Texts lists, numbers, typed fields, and optionals of them.
        case let convertible as any ThemeValueConvertible: self = convertible.themeValue
        case let list as [Any]: self = .list(list.map(ThemeValue.init))
        case let optional as any AnyOptionalValue: self = optional.wrappedValue.map(ThemeValue.init) ?? .flag(false)
        default: self = .text(String(describing: value))
        }
    }

    /// The member `name` of an object. An empty string counts as absent: Mustache treats a
    /// string as true, and `{{#tagline}}…{{/tagline}}` must not render an empty element.
    static func member(_ name: String, of values: [String: Any]) -> ThemeValue? {
        guard let value = values[name] else { return nil }
        if let text = value as? String { return text.isEmpty ? nil : .text(text) }
        return ThemeValue(value)
    }

    /// A list of objects made from `elements`, without an array of `ThemeFields` in between.
    static func list<Elements: Sequence>(_ elements: Elements, _ fields: (Elements.Element) throws -> ThemeFields) rethrows -> ThemeValue {
        var list: [ThemeValue] = []
        list.reserveCapacity(elements.underestimatedCount)
        for element in elements { list.append(.fields(try fields(element))) }
        return .list(list)
    }

    /// The member `name` of this value, if it is an object.
    func member(_ name: String) -> ThemeValue? {
        switch self {
        case .fields(let fields): fields.member(name)
        case .object(let values): Self.member(name, of: values)
        case .text, .flag, .list: nil
        }
    }

    /// Whether a section renders (and an inverted section does not).
    var isTrue: Bool {
        switch self {
        case .text(let text): !text.isEmpty
        case .flag(let flag): flag
        case .list(let list): !list.isEmpty
        case .fields, .object: true
        }
    }
}

/// The named values of one object in a page: what `{{title}}` or `{{#item}}` finds.
///
/// Built like a dictionary (`["title": item.title, "current": true]`) but kept as two short
/// arrays in the order given: a page's objects have a few to a dozen names, and comparing
/// small strings one after the other is cheaper than hashing the name on every lookup.
struct ThemeFields: ExpressibleByDictionaryLiteral {
    private var names: [String] = []
    private var values: [ThemeValue] = []

    init() {}

    init(dictionaryLiteral elements: (String, any ThemeValueConvertible)...) {
        names.reserveCapacity(elements.count + 4)
        values.reserveCapacity(elements.count + 4)
        // A literal's names are distinct (as a dictionary literal's must be).
        for (name, value) in elements {
            names.append(name)
            values.append(value.themeValue)
        }
    }

    /// The value of `name` as stored; setting `nil` removes it.
    subscript(name: String) -> (any ThemeValueConvertible)? {
        get { names.firstIndex(of: name).map { values[$0] } }
        set {
            let index = names.firstIndex(of: name)
            switch (index, newValue) {
            case (let index?, let value?): values[index] = value.themeValue
            case (nil, let value?):
                names.append(name)
                values.append(value.themeValue)
            case (let index?, nil):
                names.remove(at: index)
                values.remove(at: index)
            case (nil, nil): break
            }
        }
    }

    /// Adds `other`'s values; where both have a name, `other`'s wins.
    mutating func merge(_ other: ThemeFields) {
        for (name, value) in zip(other.names, other.values) { self[name] = value }
    }

    /// What a template finds under `name`. An empty text counts as absent (see `ThemeValue.member`).
    func member(_ name: String) -> ThemeValue? {
        guard let index = names.firstIndex(of: name) else { return nil }
        if case .text(let text) = values[index], text.isEmpty { return nil }
        return values[index]
    }
}

/// A Swift value that a page can give a template as it is: its `ThemeValue` is made once,
/// when the page builds its fields.
protocol ThemeValueConvertible {
    var themeValue: ThemeValue { get }
}

extension ThemeValue: ThemeValueConvertible {
    var themeValue: ThemeValue { self }
}

extension ThemeFields: ThemeValueConvertible {
    var themeValue: ThemeValue { .fields(self) }
}

extension String: ThemeValueConvertible {
    var themeValue: ThemeValue { .text(self) }
}

extension Bool: ThemeValueConvertible {
    var themeValue: ThemeValue { .flag(self) }
}

extension Int: ThemeValueConvertible {
    var themeValue: ThemeValue { .text(String(self)) }
}

extension Array: ThemeValueConvertible where Element: ThemeValueConvertible {
    var themeValue: ThemeValue { .list(map { $0.themeValue }) }
}

/// Absent, an optional is false, as in Mustache.
extension Optional: ThemeValueConvertible where Wrapped: ThemeValueConvertible {
    var themeValue: ThemeValue { self?.themeValue ?? .flag(false) }
}

/// Lets `ThemeValue.init` see through an `Optional` stored in an `Any`.
private protocol AnyOptionalValue {
    var wrappedValue: Any? { get }
}

extension Optional: AnyOptionalValue {
    fileprivate var wrappedValue: Any? { self.map { $0 as Any } }
}

/// Renders compiled templates into UTF-8 bytes.
struct ThemeRenderer {
    /// Every template of the theme by name, for partials.
    let templates: [String: ThemeTemplate]
    /// Partials nested deeper than this render nothing: a template that includes itself
    /// cannot exhaust the stack.
    static let maximumPartialDepth = 32
    /// A page renders at most this many partials in all, so that partials that include each
    /// other twice over (2^32 expansions within the depth limit) cannot hold a thread forever.
    static let maximumPartials = 10_000
    private var partialsRendered = 0

    private var output: [UInt8] = []
    private var atLineStart = true
    private var stack: [ThemeValue] = []

    init(templates: [String: ThemeTemplate]) {
        self.templates = templates
    }

    /// Renders template `name` with `context` (nothing if there is no such template).
    mutating func render(_ name: String, _ context: ThemeValue) -> [UInt8] {
        output = []
        output.reserveCapacity(16_384)
        atLineStart = true
        partialsRendered = 0
        stack = [context]
        if let template = templates[name] { render(template.nodes, indentation: [], depth: 0) }
        return output
    }

    private mutating func render(_ nodes: [ThemeTemplate.Node], indentation: [UInt8], depth: Int) {
        for node in nodes {
            switch node {
            case .text(let bytes):
                emit(bytes, indentation: indentation, indentingEveryLine: true)
            case .value(let name, let escaped):
                switch lookup(name) {
                case .text(var text)?:
                    text.withUTF8 { bytes in
                        if escaped, bytes.contains(where: HTMLEscaping.needsEscaping) {
                            var escapedBytes: [UInt8] = []
                            escapedBytes.reserveCapacity(bytes.count + 32)
                            HTMLEscaping.append(bytes, to: &escapedBytes)
                            emit(escapedBytes, indentation: indentation, indentingEveryLine: false)
                        } else {
                            emit(bytes, indentation: indentation, indentingEveryLine: false)
                        }
                    }
                case .flag(let flag)?:
                    emit((flag ? "true" : "false").utf8, indentation: indentation, indentingEveryLine: false)
                case .list?, .fields?, .object?, nil:
                    break
                }
            case .section(let name, let children, let inverted):
                let value = lookup(name)
                if inverted {
                    if !(value?.isTrue ?? false) { render(children, indentation: indentation, depth: depth) }
                    continue
                }
                guard let value, value.isTrue else { continue }
                switch value {
                case .flag:
                    render(children, indentation: indentation, depth: depth)
                case .list(let elements):
                    for element in elements {
                        stack.append(element)
                        render(children, indentation: indentation, depth: depth)
                        stack.removeLast()
                    }
                case .text, .fields, .object:
                    stack.append(value)
                    render(children, indentation: indentation, depth: depth)
                    stack.removeLast()
                }
            case .partial(let name, let extra):
                guard depth < Self.maximumPartialDepth, partialsRendered < Self.maximumPartials, let template = templates[name] else { continue }
                partialsRendered += 1
                render(template.nodes, indentation: extra.isEmpty ? indentation : indentation + extra, depth: depth + 1)
            }
        }
    }

    /// A name is looked up from the innermost context outwards; the rest of a dotted name only
    /// inside what its first part found.
    private func lookup(_ name: ThemeTemplate.Name) -> ThemeValue? {
        guard let first = name.parts.first else { return stack.last }
        var found: ThemeValue?
        for context in stack.reversed() {
            if let value = context.member(first) {
                found = value
                break
            }
        }
        for part in name.parts.dropFirst() {
            found = found?.member(part)
        }
        return found
    }

    /// Appends bytes; inside an indented partial, a line's first output is indented (every
    /// line of the template's own text; interpolated values only where they start a line).
    private mutating func emit(_ bytes: some BidirectionalCollection<UInt8>, indentation: [UInt8], indentingEveryLine: Bool) {
        guard !bytes.isEmpty else { return }
        guard !indentation.isEmpty else {
            output.append(contentsOf: bytes)
            atLineStart = bytes.last == UInt8(ascii: "\n")
            return
        }
        if !indentingEveryLine {
            if atLineStart { output.append(contentsOf: indentation) }
            output.append(contentsOf: bytes)
            atLineStart = bytes.last == UInt8(ascii: "\n")
            return
        }
        for byte in bytes {
            if atLineStart { output.append(contentsOf: indentation) }
            output.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
    }
}
