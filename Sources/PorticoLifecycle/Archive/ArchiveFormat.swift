import Foundation
import PorticoCore

/// The names in a site archive, format 1 (see docs/archive-format.md).
enum ArchiveFormat {
    static let name = "portico-site-archive"
    /// The newest format this code reads and the one it writes.
    static let version = 1

    static let manifest = "manifest.json"
    static let site = "site.json"
    static let items = "items.json"
    static let revisions = "revisions.json"
    static let redirects = "redirects.json"
    static let grants = "grants.json"
    static let users = "users.json"
    /// Every document besides the manifest; all are required.
    static let documents = [site, items, revisions, redirects, grants, users]

    static let blobFolder = "blobs/"

    static func blobPath(_ sha256: String) -> String { blobFolder + sha256 }

    /// Whether `path` names an entry that format 1 has.
    static func isKnown(_ path: String) -> Bool {
        path == manifest || documents.contains(path) || blobDigest(path) != nil
    }

    /// The digest a blob entry is named after; nil if `path` is not `blobs/<sha256>`.
    static func blobDigest(_ path: String) -> String? {
        guard path.hasPrefix(blobFolder) else { return nil }
        let name = path.dropFirst(blobFolder.count)
        return BlobReference.isValidDigest(name) ? String(name) : nil
    }
}

/// How many records of each kind an archive holds (the manifest), or an import created.
public struct ArchiveCounts: Sendable, Codable, Equatable {
    public var items: Int
    public var revisions: Int
    public var redirects: Int
    public var grants: Int
    public var users: Int
    public var blobs: Int

    public init(items: Int, revisions: Int, redirects: Int, grants: Int, users: Int, blobs: Int) {
        self.items = items
        self.revisions = revisions
        self.redirects = redirects
        self.grants = grants
        self.users = users
        self.blobs = blobs
    }
}

/// `manifest.json`: what the archive is, where it came from, and a size and SHA-256 for every
/// other entry, so that an import can verify each byte before it creates anything.
struct ArchiveManifest: Codable, Sendable {
    struct SourceSite: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var hostnames: [String]
    }

    struct Entry: Codable, Sendable, Equatable {
        var path: String
        var size: UInt64
        var sha256: String
    }

    var format: String
    var formatVersion: Int
    var porticoVersion: String
    var created: Date
    var site: SourceSite
    var counts: ArchiveCounts
    var entries: [Entry]
}

/// The two fields every format version will keep, read before the rest so that an archive
/// from a newer Portico gets a clear message rather than a decoding error.
struct ArchiveManifestHeader: Decodable {
    var format: String
    var formatVersion: Int
}

/// `users.json`: who the user ids in items and revisions are, by username (no passwords,
/// no e-mail addresses). An import on another node finds the same people by username.
struct ArchiveUser: Codable, Sendable, Equatable {
    var id: UserID
    var username: String
}

/// JSON as archives write it: keys sorted, dates as integer milliseconds since 1970 (the
/// precision the stores keep, so that a round trip is exact).
enum ArchiveCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.millisecondsSince1970)
        }
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(millisecondsSince1970: try decoder.singleValueContainer().decode(Int64.self))
        }
        return decoder
    }

    /// A decoding failure in a sentence: what is wrong and where in the document.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ path: [any CodingKey]) -> String {
            let text = path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "" : " at \(text.hasPrefix(".") ? String(text.dropFirst()) : text)"
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not valid JSON" : "\(context.debugDescription)\(at(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "“\(key.stringValue)” is missing\(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(context.debugDescription)\(at(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }
}
