import Crypto
import PorticoTestSupport
import Foundation
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore
import Synchronization
import Testing
import ZIPFoundation

/// A data folder of its own, with its store and services, as one node would have.
struct DataFolder {
    let url: URL
    let store: SQLiteContentStore
    let content: ContentService
    let administration: SiteAdministration

    static func make() throws -> DataFolder {
        let url = TestFolders.url("portico-archive")
        let store = try SQLiteContentStore(dataFolder: url)
        let events = ContentEventBus()
        return DataFolder(
            url: url, store: store, content: ContentService(store: store, events: events),
            administration: SiteAdministration(store: store, events: events, bcryptCost: 4)
        )
    }

    @discardableResult
    func createUser(_ username: String) async throws -> User {
        try await administration.createUser(username: username, password: "a long enough password", isPlatformAdmin: false).0
    }

    /// Nothing of site `id` may exist after a failed import: no site row, no folder, nothing staged.
    func expectNothingLeft(of id: SiteID, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await store.site(id) == nil, sourceLocation: sourceLocation)
        let folder = url.appendingPathComponent("sites").appendingPathComponent(id.rawValue)
        #expect(!FileManager.default.fileExists(atPath: folder.path), sourceLocation: sourceLocation)
        let staged = (try? FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent("staging").path)) ?? []
        #expect(staged.isEmpty, "left in staging: \(staged)", sourceLocation: sourceLocation)
    }
}

/// The demo site, plus what the demo lacks: two users with a site role and a local role, an
/// item written by a user, a renamed page (a redirect), a deleted page (history without an
/// item), and a logo.
struct SourceSite {
    let folder: DataFolder
    let site: Site
    let jane: User
    let sam: User

    static func make() async throws -> SourceSite {
        let folder = try DataFolder.make()
        let demo = try await DemoSite.create(administration: folder.administration, content: folder.content, id: "demo", hostnames: ["demo.test"])
        let (logo, _) = try await folder.content.storeBlob(in: demo.id, data: SampleMedia.banner(width: 64, height: 24, red: 200, green: 40, blue: 10), filename: "logo.png")
        let site = try await folder.administration.updateSite(demo.id) { $0.settings.logo = logo }
        let jane = try await folder.createUser("jane")
        let sam = try await folder.createUser("sam")
        let store = try await folder.store.content(of: site.id)
        let root = try await store.root()
        let about = try #require(try await store.item(path: "/about"))
        let news = try #require(try await store.item(path: "/news"))
        try await folder.content.grant(.editor, to: jane.id, on: root.id, in: site.id, by: .system)
        try await folder.content.grant(.member, to: sam.id, on: about.id, in: site.id, by: .system)

        let story = try await folder.content.create(in: site.id, under: news.id, ItemDraft(type: .news, title: "Jane writes", body: "By *Jane*."),
                                                    by: .user(jane.id, isPlatformAdmin: false))
        var draft = ItemDraft(story)
        draft.body = "By *Jane*, edited."
        try await folder.content.update(in: site.id, id: story.id, draft, expectedVersion: story.version, by: .user(jane.id, isPlatformAdmin: false))

        let history = try #require(try await store.item(path: "/about/our-history"))
        var renamed = ItemDraft(history)
        renamed.slug = "history"
        try await folder.content.update(in: site.id, id: history.id, renamed, expectedVersion: history.version, by: .system)

        let temporary = try await folder.content.create(in: site.id, under: root.id, ItemDraft(type: .page, title: "Soon gone"), by: .system)
        try await folder.content.delete(in: site.id, id: temporary.id, by: .system)

        return SourceSite(folder: folder, site: site, jane: jane, sam: sam)
    }

    /// Exports the site to a new file and returns its URL.
    func export() async throws -> URL {
        let url = Scratch.folder().appendingPathComponent("demo.zip")
        try await Lifecycle.exportSite(site.id, store: folder.store, to: url)
        return url
    }
}

enum Scratch {
    /// A new, empty temporary folder.
    static func folder() -> URL {
        let url = TestFolders.url("portico-archive-files")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Progress reports, collected from a `@Sendable` closure.
final class ProgressLog: Sendable {
    private let reports = Mutex<[String]>([])
    func record(_ progress: LifecycleProgress) { reports.withLock { $0.append("\(progress.phase) \(progress.done)/\(progress.total)") } }
    var all: [String] { reports.withLock { $0 } }
    var phases: [String] {
        var result: [String] = []
        for report in all {
            let phase = String(report.prefix { $0 != " " })
            if result.last != phase { result.append(phase) }
        }
        return result
    }
}

/// An archive's entries in memory, to be changed and written back: how the tests make bad
/// archives out of a good one.
struct TestArchive {
    var files: [(path: String, data: Data)] = []
    /// `manifest.json`, parsed; nil to leave the manifest out.
    var manifest: [String: Any]?

    init(reading url: URL) throws {
        let archive = try Archive(url: url, accessMode: .read, pathEncoding: nil)
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            if entry.path == "manifest.json" {
                manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            } else {
                files.append((entry.path, data))
            }
        }
    }

    subscript(path: String) -> Data? { files.first { $0.path == path }?.data }

    var blobPaths: [String] { files.map(\.path).filter { $0.hasPrefix("blobs/") }.sorted() }

    /// Replaces or adds an entry and lists it in the manifest with its true size and checksum,
    /// as an honest writer would.
    mutating func put(_ path: String, _ data: Data) {
        replaceBytes(path, data)
        var entries = (manifest?["entries"] as? [[String: Any]] ?? []).filter { $0["path"] as? String != path }
        entries.append(["path": path, "size": data.count, "sha256": Self.sha256(data)])
        manifest?["entries"] = entries
    }

    /// Replaces or adds an entry's bytes without touching the manifest.
    mutating func replaceBytes(_ path: String, _ data: Data) {
        if let index = files.firstIndex(where: { $0.path == path }) {
            files[index].data = data
        } else {
            files.append((path, data))
        }
    }

    /// Removes an entry and its line in the manifest.
    mutating func remove(_ path: String) {
        files.removeAll { $0.path == path }
        let entries = (manifest?["entries"] as? [[String: Any]] ?? []).filter { $0["path"] as? String != path }
        manifest?["entries"] = entries
    }

    /// Changes the size the manifest declares for `path`.
    mutating func declareSize(_ size: Int, for path: String) {
        let entries = (manifest?["entries"] as? [[String: Any]] ?? []).map { entry in
            guard entry["path"] as? String == path else { return entry }
            var entry = entry
            entry["size"] = size
            return entry
        }
        manifest?["entries"] = entries
    }

    func json(_ path: String) throws -> Any { try JSONSerialization.jsonObject(with: self[path] ?? Data()) }

    mutating func putJSON(_ path: String, _ value: Any) throws {
        put(path, try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]))
    }

    /// Writes the entries (deflated), the manifest last, to a new file.
    func write(to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create, pathEncoding: nil)
        var all = files
        if let manifest { all.append(("manifest.json", try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]))) }
        for (path, data) in all {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// Editing zip bytes where the zip writer would not go: headers that lie.
enum ZipBytes {
    /// The offsets of the local header and the central directory record of entry `name`.
    static func headers(of name: String, in bytes: [UInt8]) -> (local: Int, central: Int)? {
        let needle = Array(name.utf8)
        var local: Int?
        var central: Int?
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) {
                if index >= 30, bytes[(index - 30)..<(index - 26)].elementsEqual([0x50, 0x4b, 0x03, 0x04]) { local = index - 30 }
                if index >= 46, bytes[(index - 46)..<(index - 42)].elementsEqual([0x50, 0x4b, 0x01, 0x02]) { central = index - 46 }
            }
            index += 1
        }
        guard let local, let central else { return nil }
        return (local, central)
    }

    static func setUInt32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for byte in 0..<4 { bytes[offset + byte] = UInt8((value >> (8 * UInt32(byte))) & 0xff) }
    }

    static func uint32(at offset: Int, in bytes: [UInt8]) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
