import Foundation
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore
import Testing

/// Every way an archive can be bad, made from a good one, with the error it must give.
enum BadArchive: String, CaseIterable, Sendable {
    case notAZip, emptyFile, truncated, corruptDirectory, corruptData
    case missingManifest, newerFormat, newerFormatInZIP64, otherFormat
    case dotDotPath, absolutePath, backslashPath, nestedDotDotPath
    case headerLiesAboutSize, manifestLiesAboutSize, zipBomb, overTotalLimit
    case checksumMismatch, blobHashMismatch, undecodableJSON, itemWithoutParent, missingBlob, unlistedEntry

    var limits: ArchiveLimits {
        self == .overTotalLimit ? ArchiveLimits(maximumTotalSize: 10_000) : .standard
    }

    func make(from good: URL) throws -> URL {
        let url = Scratch.folder().appendingPathComponent("\(rawValue).zip")
        var archive = try TestArchive(reading: good)
        var bytes = try [UInt8](Data(contentsOf: good))
        switch self {
        case .notAZip:
            try Data("This is a text file, not an archive.\n".utf8).write(to: url)
            return url
        case .emptyFile:
            try Data().write(to: url)
            return url
        case .truncated:
            try Data(bytes.prefix(bytes.count * 2 / 3)).write(to: url)
            return url
        case .corruptDirectory:
            let central = try #require(ZipBytes.headers(of: "items.json", in: bytes)).central
            bytes[central + 2] = 0x07
            try Data(bytes).write(to: url)
            return url
        case .corruptData:
            let local = try #require(ZipBytes.headers(of: "items.json", in: bytes)).local
            let nameLength = Int(bytes[local + 26]) | Int(bytes[local + 27]) << 8
            let extraLength = Int(bytes[local + 28]) | Int(bytes[local + 29]) << 8
            let data = local + 30 + nameLength + extraLength
            for offset in (data + 40)..<(data + 140) { bytes[offset] = 0xff }
            try Data(bytes).write(to: url)
            return url
        case .newerFormatInZIP64:
            try #require(Data(base64Encoded: Self.zip64Archive)).write(to: url)
            return url
        case .missingManifest:
            archive.manifest = nil
        case .newerFormat:
            archive.manifest?["formatVersion"] = 2
        case .otherFormat:
            archive.manifest?["format"] = "someone-elses-backup"
        case .dotDotPath:
            archive.replaceBytes("../escaped.txt", Data("gotcha".utf8))
        case .absolutePath:
            archive.replaceBytes("/tmp/portico-escaped.txt", Data("gotcha".utf8))
        case .backslashPath:
            archive.replaceBytes("blobs\\..\\..\\escaped.txt", Data("gotcha".utf8))
        case .nestedDotDotPath:
            archive.replaceBytes("blobs/../../escaped.txt", Data("gotcha".utf8))
        case .headerLiesAboutSize:
            archive.declareSize(10, for: "items.json")
            try archive.write(to: url)
            var written = try [UInt8](Data(contentsOf: url))
            let headers = try #require(ZipBytes.headers(of: "items.json", in: written))
            ZipBytes.setUInt32(10, at: headers.local + 22, in: &written)
            ZipBytes.setUInt32(10, at: headers.central + 24, in: &written)
            try Data(written).write(to: url)
            return url
        case .manifestLiesAboutSize:
            archive.declareSize(5, for: "site.json")
        case .zipBomb:
            // 24 MB of spaces is valid JSON and deflates about a thousand times.
            archive.put("redirects.json", Data(("[" + String(repeating: " ", count: 24 << 20) + "]").utf8))
        case .overTotalLimit:
            break
        case .checksumMismatch:
            let text = String(decoding: try #require(archive["items.json"]), as: UTF8.self)
            #expect(text.contains("Northfield"))
            archive.replaceBytes("items.json", Data(text.replacingOccurrences(of: "Northfield", with: "Southfield").utf8))
        case .blobHashMismatch:
            // The last blob, so that the others are staged before the import fails.
            let path = try #require(archive.blobPaths.last)
            archive.put(path, Data("not the blob this name promises".utf8))
        case .undecodableJSON:
            archive.put("items.json", Data("{ this is not JSON".utf8))
        case .itemWithoutParent:
            // Edited as text: keys are sorted, so an item's parentID comes right before its path.
            let text = String(decoding: try #require(archive["items.json"]), as: UTF8.self)
            let pattern = #"("parentID"\s*:\s*")[^"]+("\s*,\s*"path"\s*:\s*"/about/history")"#
            let edited = text.replacingOccurrences(of: pattern, with: "$1no-such-item$2", options: .regularExpression)
            #expect(edited != text)
            archive.put("items.json", Data(edited.utf8))
        case .missingBlob:
            archive.remove(try #require(archive.blobPaths.first))
        case .unlistedEntry:
            archive.replaceBytes("notes.txt", Data("hello".utf8))
        }
        try archive.write(to: url)
        return url
    }

    func isExpected(_ error: ArchiveError) -> Bool {
        switch (self, error) {
        case (.notAZip, .notAZip), (.emptyFile, .notAZip), (.truncated, .truncated), (.corruptDirectory, .corrupt):
            return true
        case (.corruptData, .corrupt), (.corruptData, .sizeMismatch(entry: "items.json", _, _)):
            return true
        case (.missingManifest, .missingEntry("manifest.json")), (.otherFormat, .notASiteArchive("someone-elses-backup")):
            return true
        case (.newerFormat, .newerFormat(found: 2, supported: 1)), (.newerFormatInZIP64, .newerFormat(found: 2, supported: 1)):
            return error.description == "the archive was made by a newer Portico: format 2, this Portico reads 1"
        case (.dotDotPath, .unsafePath("../escaped.txt")), (.absolutePath, .unsafePath("/tmp/portico-escaped.txt")),
             (.backslashPath, .unsafePath("blobs\\..\\..\\escaped.txt")), (.nestedDotDotPath, .unsafePath("blobs/../../escaped.txt")):
            return true
        case (.headerLiesAboutSize, .sizeMismatch(entry: "items.json", expected: 10, let actual)):
            return actual > 10
        case (.manifestLiesAboutSize, .sizeMismatch(entry: "site.json", expected: 5, let actual)):
            return actual > 5
        case (.zipBomb, .tooLarge(let reason)):
            return reason.contains("redirects.json")
        case (.overTotalLimit, .tooLarge):
            return true
        case (.checksumMismatch, .checksumMismatch(entry: "items.json")), (.blobHashMismatch, .blobHashMismatch), (.undecodableJSON, .undecodable(entry: "items.json", _)):
            return true
        case (.itemWithoutParent, .inconsistent(let reason)):
            return reason.contains("/about/history") && reason.contains("no-such-item")
        case (.missingBlob, .missingEntry(let path)):
            return path.hasPrefix("blobs/")
        case (.unlistedEntry, .unexpectedEntry(let path)):
            return path.hasPrefix("notes.txt")
        default:
            return false
        }
    }

    /// Written by Python's zipfile with every ZIP64 structure forced (ZIP64 sizes in both
    /// headers, a ZIP64 end record and locator): a manifest of format 2 and nothing else.
    static let zip64Archive = """
        UEsDBC0AAAAIAE9Bd12QLi1n//////////8NABQAbWFuaWZlc3QuanNvbgEAEAB4AAAAAAAAAGsAAAAAAAAALcuxCsJAEEXRXxmmsTGNiIV/YJfKwi4u\
        L+yA7oTZl4RV/Hcj2F7Ofevo8RyoZ9HJg5a8q0Z0Q6RsC3Qvf3FFVPOywcPWihO/Zw0jUeTepG/MXnZVXjaN9oCsxixYEE1ul/50lMqYE+eAfr5QSwEC\
        LQMtAAAACABPQXddkC4tZ///////////DQAUAAAAAAAAAAAAgAEAAAAAbWFuaWZlc3QuanNvbgEAEAB4AAAAAAAAAGsAAAAAAAAAUEsGBiwAAAAAAAAA\
        LQAtAAAAAAAAAAAAAQAAAAAAAAABAAAAAAAAAE8AAAAAAAAAqgAAAAAAAABQSwYHAAAAAPkAAAAAAAAAAQAAAFBLBQYAAAAAAQABAE8AAACqAAAAAAA=
        """
}

@Suite struct BadArchiveTests {
    @Test(arguments: BadArchive.allCases)
    func aBadArchiveIsRefusedWithAClearErrorAndLeavesNothingBehind(_ bad: BadArchive) async throws {
        let source = try await SourceSite.make()
        let archive = try bad.make(from: try await source.export())
        let target = try DataFolder.make()
        try await target.administration.createSite(id: "existing", name: "Existing", hostnames: ["existing.test"])
        let newID = try SiteID("imported")

        let error = await #expect(throws: ArchiveError.self) {
            try await Lifecycle.importSite(from: archive, as: newID, hostnames: ["imported.test"], store: target.store, limits: bad.limits)
        }
        if let error {
            #expect(bad.isExpected(error), "\(bad): \(error)")
        }
        try await target.expectNothingLeft(of: newID)
        #expect(try await target.store.sites().map(\.id.rawValue) == ["existing"])
        #expect(try await target.store.site(forHostname: "imported.test") == nil)
    }

    @Test func aRedirectToAnItemTheArchiveDoesNotHoldIsRefused() async throws {
        let source = try await SourceSite.make()
        var archive = try TestArchive(reading: try await source.export())
        var redirects = try #require(try archive.json("redirects.json") as? [[String: Any]])
        redirects[0]["itemID"] = "gone"
        try archive.putJSON("redirects.json", redirects)
        let url = Scratch.folder().appendingPathComponent("redirect.zip")
        try archive.write(to: url)

        let target = try DataFolder.make()
        let error = await #expect(throws: ArchiveError.self) {
            try await Lifecycle.importSite(from: url, as: SiteID("imported"), hostnames: [], store: target.store)
        }
        #expect(error?.description.contains("redirect") == true)
        try await target.expectNothingLeft(of: SiteID("imported"))
    }

    @Test func messagesSayWhatIsWrong() {
        #expect(ArchiveError.newerFormat(found: 2, supported: 1).description == "the archive was made by a newer Portico: format 2, this Portico reads 1")
        #expect(ArchiveError.unsafePath("../x").description.contains("\"../x\""))
        #expect(ArchiveError.truncated("the end of its central directory is missing").description.contains("truncated"))
    }
}
