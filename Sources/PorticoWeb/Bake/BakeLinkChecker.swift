import Foundation

/// Checks a bake offline: every link in every HTML and CSS file must lead to a file of the
/// bake. Links with a scheme (`https:`, `mailto:`) and fragments of the same page are not
/// followed; a link to a folder counts as a link to its `index.html`, as a web server serves it.
public enum BakeLinkChecker {
    /// The broken links of the bake in `folder`, sorted by file.
    public static func check(folder: URL) -> [BrokenLink] {
        let root = folder.standardizedFileURL.resolvingSymlinksInPath()
        // Root-absolute links (only 404.html has them) start with the bake's public path.
        let basePath = BakeMarker.read(in: root)?.basePath ?? "/"
        var broken: [BrokenLink] = []
        for file in documents(in: root) {
            let isCSS = file.hasSuffix(".css")
            guard let data = FileManager.default.contents(atPath: root.path + "/" + file) else {
                broken.append(BrokenLink(file: file, link: "", problem: .unreadable))
                continue
            }
            let bytes = [UInt8](data)
            let links = isCSS ? BakeRewriter.links(inCSS: bytes) : BakeRewriter.links(inHTML: bytes)
            // srcset lists and CSS in style attributes arrive here one URL at a time.
            for link in links {
                if let problem = problem(with: link, in: file, root: root, basePath: basePath) {
                    broken.append(BrokenLink(file: file, link: link, problem: problem))
                }
            }
        }
        return broken.sorted { ($0.file, $0.link) < ($1.file, $1.link) }
    }

    /// HTML and CSS files below `root`, as relative paths.
    static func documents(in root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            let lower = path.lowercased()
            guard lower.hasSuffix(".html") || lower.hasSuffix(".htm") || lower.hasSuffix(".css") else { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.path + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// Why `link`, found in `file`, does not lead to a file of the bake; nil when it does.
    static func problem(with link: String, in file: String, root: URL, basePath: String) -> BrokenLink.Problem? {
        guard !link.isEmpty, !link.hasPrefix("#"), !hasScheme(link), !link.hasPrefix("//") else { return nil }
        var path = link
        if let cut = path.firstIndex(where: { $0 == "#" || $0 == "?" }) { path = String(path[..<cut]) }
        if path.isEmpty { return nil }  // "?x" or "#x" alone: this same file
        var segments: [String]
        if path.hasPrefix("/") {
            guard path.hasPrefix(basePath) || path + "/" == basePath else { return .outsideBake }
            segments = []
            path = String(path.dropFirst(min(basePath.count, path.count)))
        } else {
            segments = file.split(separator: "/").dropLast().map(String.init)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            guard let decoded = part.removingPercentEncoding else { return .malformed }
            switch decoded {
            case ".":
                continue
            case "..":
                guard !segments.isEmpty else { return .outsideBake }
                segments.removeLast()
            case "":
                // Only a trailing slash may leave an empty segment: "news/" is a folder link.
                guard index == parts.count - 1 else { continue }
            default:
                if decoded.contains("/") || decoded.contains("\0") { return .malformed }
                segments.append(decoded)
            }
        }
        let target = root.path + "/" + segments.joined(separator: "/")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return .missingFile }
        if isDirectory.boolValue {
            let index = target + (target.hasSuffix("/") ? "" : "/") + "index.html"
            return FileManager.default.fileExists(atPath: index) ? nil : .missingFile
        }
        return nil
    }

    /// Whether `link` starts with a URL scheme (`https:`, `mailto:`, `data:`).
    static func hasScheme(_ link: String) -> Bool {
        guard let colon = link.firstIndex(of: ":"), let first = link.first, first.isASCII, first.isLetter else { return false }
        return link[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }
}
