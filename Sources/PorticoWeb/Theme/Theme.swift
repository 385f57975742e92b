public import Foundation
import Crypto
public import Mustache
import PorticoCore

/// The platform theme: Mustache templates parsed once at start-up, and the stylesheet served
/// at a content-hash URL so browsers may cache it for a year.
///
/// An operator may point `--theme` at a folder holding any of `<name>.mustache` and
/// `style.css`; what the folder lacks comes from the built-in theme. Every site uses the same
/// theme and differs only by its settings (name, logo, accent colour, footer).
public struct Theme: Sendable {
    public let library: MustacheLibrary
    public let stylesheet: String
    /// First 16 hex digits of the stylesheet's SHA-256; part of its URL.
    public let stylesheetHash: String

    /// The path of the stylesheet, e.g. `/_theme/3f2a…/style.css`.
    public var stylesheetPath: String { "/_theme/\(stylesheetHash)/style.css" }

    /// Loads the built-in theme, overridden by the files in `folder` if given.
    /// Throws `PorticoError.invalid` naming the file when a template does not parse.
    public init(folder: URL? = nil) throws {
        var files = DefaultTheme.files
        if let folder {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw PorticoError.invalid(field: "theme folder \(folder.path)", reason: "does not exist or is not a folder")
            }
            for name in DefaultTheme.templateNames.map({ "\($0).mustache" }) + ["style.css"] {
                let file = folder.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: file.path) {
                    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                        throw PorticoError.invalid(field: "theme file \(file.path)", reason: "cannot be read as UTF-8 text")
                    }
                    files[name] = text
                }
            }
        }
        var library = MustacheLibrary()
        MustacheByteEscaping.register
        for name in DefaultTheme.templateNames {
            do {
                let text = files["\(name).mustache"] ?? ""
                // Parsed as written first, so that an error names the operator's own line and column.
                _ = try MustacheTemplate(string: text)
                // Every template escapes with `MustacheByteEscaping` (a template may still say otherwise).
                try library.register(MustacheByteEscaping.pragma + text, named: name)
            } catch {
                throw PorticoError.invalid(field: "theme template \(name).mustache", reason: "does not parse: \(error)")
            }
        }
        self.library = library
        self.stylesheet = files["style.css"] ?? ""
        self.stylesheetHash = String(SHA256.hash(data: Data(stylesheet.utf8)).map { String(format: "%02x", $0) }.joined().prefix(16))
    }

    /// Renders `template` with `context`. Empty strings are removed first, because Mustache
    /// treats them as true and `{{#tagline}}…{{/tagline}}` would render an empty element.
    public func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(Self.withoutEmptyStrings(context), withTemplate: template) ?? ""
    }

    static func withoutEmptyStrings(_ values: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        result.reserveCapacity(values.count)
        for (key, value) in values {
            switch value {
            case let text as String where text.isEmpty:
                continue
            case let nested as [String: Any]:
                result[key] = withoutEmptyStrings(nested)
            case let list as [[String: Any]]:
                result[key] = list.map(withoutEmptyStrings)
            default:
                result[key] = value
            }
        }
        return result
    }

    /// Writes the built-in theme's files into `folder`, as a starting point for a custom theme.
    public static func exportDefault(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in DefaultTheme.files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
    }
}

/// The theme's escaping of `{{values}}`: `HTMLEscaping`, the same five characters as
/// swift-mustache's own, on UTF-8 bytes (its character-by-character escaping was an eighth of
/// an uncached page render).
struct MustacheByteEscaping: MustacheContentType {
    static let name = "PORTICO_HTML"
    /// Put in front of every template: switches it to this escaping. On a line of its own it is
    /// a standalone tag, so it renders nothing, not even its line break, and the template's
    /// first line still starts a line (a standalone tag there keeps its meaning).
    static let pragma = "{{% CONTENT_TYPE: \(name) }}\n"
    /// Registers the content type once, before templates that name it are parsed.
    static let register: Void = MustacheContentTypes.register(MustacheByteEscaping(), named: name)

    func escapeText(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }
}
