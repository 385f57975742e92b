/// Entry names are checked before anything else, even though an import never writes a file
/// under a name taken from the archive (blobs are stored by their verified digest): an
/// archive whose names could escape a folder (zip slip) was made to attack someone.
enum ArchiveEntryPath {
    /// nil when `path` is a plain relative path; otherwise why it is unsafe.
    static func problem(with path: String) -> String? {
        var name = Substring(path)
        if name.hasSuffix("/") { name = name.dropLast() }  // a folder entry
        if name.isEmpty { return "it is empty" }
        if name.utf8.count > 1024 { return "it is too long" }
        if name.hasPrefix("/") { return "it is absolute" }
        if name.contains("\\") { return "it contains a backslash" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "it contains control characters" }
        // "C:" names a drive on Windows, whatever follows.
        if name.utf8.count >= 2, name.utf8.dropFirst().first == UInt8(ascii: ":") { return "it names a drive" }
        for segment in name.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "it contains an empty segment" }
            if segment == "." || segment == ".." { return "it contains \(segment)" }
        }
        return nil
    }
}
