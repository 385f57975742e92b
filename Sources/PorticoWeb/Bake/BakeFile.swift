/// A file of a bake, as path segments below the bake folder (decoded: what is on disk).
///
/// Links between baked files are relative and name the file itself (`../news/index.html`,
/// never `../news/`): that works from `file://`, where a folder does not open its
/// `index.html`, as well as from nginx, and from any URL prefix.
struct BakeFile: Hashable, Comparable, CustomStringConvertible {
    let segments: [String]

    init(_ segments: [String]) {
        self.segments = segments
    }

    static let home = BakeFile(["index.html"])
    static let notFound = BakeFile(["404.html"])
    static let marker = BakeFile([BakeMarker.fileName])

    /// The path below the bake folder, as on disk.
    var path: String { segments.joined(separator: "/") }
    var description: String { path }

    static func < (lhs: BakeFile, rhs: BakeFile) -> Bool { lhs.path < rhs.path }

    var isPage: Bool { segments.last == "index.html" }

    /// The relative link from `self` to `target`: climb out of this file's folder to the
    /// common ancestor, then down to the target. A file links to itself by its own name.
    func link(to target: BakeFile) -> String {
        let from = segments.dropLast()
        var common = 0
        while common < from.count, common < target.segments.count - 1, from[from.startIndex + common] == target.segments[common] {
            common += 1
        }
        let up = Array(repeating: "..", count: from.count - common)
        let down = target.segments[common...].map(Self.encode)
        return (up + down).joined(separator: "/")
    }

    /// The URL path of this file below the site's public root: a page is addressed by its
    /// folder (`about/`; the home page by the empty string), which nginx serves without a
    /// redirect, and any other file by its own name.
    var publicPath: String {
        guard isPage else { return segments.map(Self.encode).joined(separator: "/") }
        let folder = segments.dropLast()
        return folder.isEmpty ? "" : folder.map(Self.encode).joined(separator: "/") + "/"
    }

    /// Percent-encodes one segment: only unreserved characters stay, so the link is safe in an
    /// attribute, in an unquoted CSS `url()`, and cannot be taken for a scheme (`a:b`).
    static func encode(_ segment: String) -> String {
        var result = ""
        for byte in segment.utf8 {
            let isUnreserved = ASCII.isLetter(byte) || (byte >= 48 && byte <= 57)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if isUnreserved {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return result
    }
}

private extension String {
    var leftPadded: String { count == 1 ? "0" + self : self }
}
