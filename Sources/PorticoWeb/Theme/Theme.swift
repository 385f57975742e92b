public import Foundation
import Crypto
import PorticoCore

/// The platform theme: Mustache templates compiled once at start-up (`ThemeTemplate`), and the
/// stylesheet served at a content-hash URL so browsers may cache it for a year.
///
/// An operator may point `--theme` at a folder holding any of `<name>.mustache` and
/// `style.css`; what the folder lacks comes from the built-in theme. Every site uses the same
/// theme and differs only by its settings (name, logo, accent colour, footer).
public struct Theme: Sendable {
    let templates: [String: ThemeTemplate]
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
        var templates: [String: ThemeTemplate] = [:]
        for name in DefaultTheme.templateNames {
            do {
                templates[name] = try ThemeTemplate(files["\(name).mustache"] ?? "")
            } catch {
                throw PorticoError.invalid(field: "theme template \(name).mustache", reason: "does not parse: \(error)")
            }
        }
        self.templates = templates
        self.stylesheet = files["style.css"] ?? ""
        self.stylesheetHash = String(SHA256.hash(data: Data(stylesheet.utf8)).map { String(format: "%02x", $0) }.joined().prefix(16))
    }

    /// Renders `template` with `context` (strings, booleans, numbers, lists and dictionaries
    /// of them). Values are escaped for HTML except in `{{{triple}}}` tags.
    public func render(_ template: String, _ context: [String: Any]) -> String {
        String(decoding: renderBytes(template, context), as: UTF8.self)
    }

    /// The same, as UTF-8 bytes, ready to be written into a response body.
    func renderBytes(_ template: String, _ context: [String: Any]) -> [UInt8] {
        renderBytes(template, value: .object(context))
    }

    /// Renders `template` with a page's typed values (see `ThemeFields`).
    func render(_ template: String, _ fields: ThemeFields) -> String {
        String(decoding: renderBytes(template, fields), as: UTF8.self)
    }

    /// The same, as UTF-8 bytes.
    func renderBytes(_ template: String, _ fields: ThemeFields) -> [UInt8] {
        renderBytes(template, value: .fields(fields))
    }

    private func renderBytes(_ template: String, value: ThemeValue) -> [UInt8] {
        var renderer = ThemeRenderer(templates: templates)
        return renderer.render(template, value)
    }

    /// Writes the built-in theme's files into `folder`, as a starting point for a custom theme.
    public static func exportDefault(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in DefaultTheme.files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
    }
}
