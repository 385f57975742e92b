import Foundation
/// Parsing and building of item paths.
///
/// A request path is untrusted: it is split into segments, each percent-decoded once and
/// checked. Anything that could address something outside the content tree (`.`, `..`,
/// encoded slashes or backslashes, NUL and control characters, overlong segments) is rejected
/// with `PorticoError.badRequest`, before the path is looked up anywhere.
public enum ContentPath {
    public static let maximumSegmentLength = 255
    public static let maximumSegments = 64

    /// Splits a raw (percent-encoded) URL path into decoded segments. Empty segments
    /// (`//`, a trailing `/`) are ignored; a query string must already be removed.
    public static func segments(of rawPath: some StringProtocol) throws -> [String] {
        try segments(ofPath: String(rawPath))
    }

    /// The work of `segments(of:)`, on a `String`'s bytes: every public page view parses its
    /// path, and the generic version (split through `StringProtocol`'s witnesses) was 3 % of
    /// an uncached page.
    private static func segments(ofPath rawPath: String) throws -> [String] {
        var segments: [String] = []
        for raw in rawPath.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if raw.count > maximumSegmentLength * 3 {
                throw PorticoError.badRequest("path segment too long")
            }
            guard let decoded = percentDecode(Substring(raw)) else {
                throw PorticoError.badRequest("invalid percent-encoding in path")
            }
            if let problem = problem(withSegment: decoded) {
                throw PorticoError.badRequest(problem)
            }
            segments.append(decoded)
            if segments.count > maximumSegments { throw PorticoError.badRequest("path too deep") }
        }
        return segments
    }

    /// The reason a decoded segment is refused, or nil.
    static func problem(withSegment segment: String) -> String? {
        if segment == "." || segment == ".." { return "relative path segment" }
        if segment.utf8.count > maximumSegmentLength { return "path segment too long" }
        for scalar in segment.unicodeScalars {
            if scalar == "/" || scalar == "\\" { return "encoded slash in path" }
            if scalar.value < 0x20 || scalar.value == 0x7F { return "control character in path" }
        }
        return nil
    }

    /// The item path for these segments: "/" for none, "/a/b" otherwise.
    public static func path(of segments: [String]) -> String {
        segments.isEmpty ? "/" : "/" + segments.joined(separator: "/")
    }

    /// The path of a child with `slug` under the item at `parentPath`.
    public static func join(_ parentPath: String, _ slug: String) -> String {
        parentPath == "/" ? "/" + slug : parentPath + "/" + slug
    }

    /// The paths of all ancestors of `path`, root first: "/a/b/c" → ["/", "/a", "/a/b"].
    public static func ancestors(of path: String) -> [String] {
        guard path != "/" else { return [] }
        var result = ["/"]
        var current = ""
        let parts = path.split(separator: "/")
        for part in parts.dropLast() {
            current += "/" + part
            result.append(current)
        }
        return result
    }

    /// Percent-decodes once; nil when an escape is malformed or the bytes are not UTF-8.
    public static func percentDecode(_ input: some StringProtocol) -> String? {
        if !input.utf8.contains(UInt8(ascii: "%")) { return String(input) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.utf8.count)
        var iterator = input.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}
