/// Why an archive cannot be imported, in words an operator can act on. When one is thrown,
/// nothing of the new site exists. Failures that are not about the archive (the id or a
/// hostname is taken, the disk is full) are `PorticoError`s as everywhere else.
public enum ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a zip file at all.
    case notAZip
    /// The zip ends early (an interrupted copy or download).
    case truncated(String)
    /// The zip's structure or compressed data is damaged.
    case corrupt(String)
    /// A zip, but not one Portico wrote (the manifest names another format).
    case notASiteArchive(String)
    /// Written by a newer Portico in a format this one cannot read.
    case newerFormat(found: Int, supported: Int)
    case missingEntry(String)
    /// An entry a site archive of this format does not have.
    case unexpectedEntry(String)
    /// An entry path that could escape a target folder (`../x`, `/x`, `a\b`, …).
    case unsafePath(String)
    /// Bigger than the limits allow, or inflating far beyond its compressed size (a zip bomb).
    case tooLarge(String)
    /// An entry whose bytes are not as many as its headers or the manifest say.
    case sizeMismatch(entry: String, expected: UInt64, actual: UInt64)
    /// An entry whose SHA-256 differs from the manifest's.
    case checksumMismatch(entry: String)
    /// A blob whose content does not hash to its name.
    case blobHashMismatch(entry: String, actual: String)
    /// A JSON document that does not decode.
    case undecodable(entry: String, reason: String)
    /// Records that contradict each other (an item whose parent is missing, …).
    case inconsistent(String)

    public var description: String {
        switch self {
        case .notAZip:
            return "the file is not a zip archive"
        case .truncated(let detail):
            return "the archive is truncated (\(detail)); was the copy or download complete?"
        case .corrupt(let detail):
            return "the archive is corrupt: \(detail)"
        case .notASiteArchive(let format):
            return "the archive is not a Portico site archive (its format is \(String(reflecting: format)))"
        case .newerFormat(let found, let supported):
            return "the archive was made by a newer Portico: format \(found), this Portico reads \(supported)"
        case .missingEntry(let path):
            return "the archive has no \(path)"
        case .unexpectedEntry(let path):
            return "the archive holds \(String(reflecting: path)), which a site archive does not have"
        case .unsafePath(let path):
            return "the archive holds an entry with an unsafe path, \(String(reflecting: path)), that could escape the target folder"
        case .tooLarge(let detail):
            return "the archive is too large to import safely: \(detail)"
        case .sizeMismatch(let entry, let expected, let actual):
            return "the archive's \(entry) holds \(actual) bytes where \(expected) were declared"
        case .checksumMismatch(let entry):
            return "the archive's \(entry) does not match its SHA-256 checksum in the manifest"
        case .blobHashMismatch(let entry, let actual):
            return "the archive's \(entry) is not the blob its name says: its content hashes to \(actual)"
        case .undecodable(let entry, let reason):
            return "the archive's \(entry) cannot be read: \(reason)"
        case .inconsistent(let detail):
            return "the archive's records are inconsistent: \(detail)"
        }
    }
}
