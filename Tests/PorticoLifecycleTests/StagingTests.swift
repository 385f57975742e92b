import Foundation
import PorticoContent
import PorticoCore
import PorticoStore
import Testing

/// The store's half of an import: a site built out of sight, committed in one step.
@Suite struct StagingTests {
    /// Stages a copy of the source site's records and blobs in `target` under `id`.
    private func stage(_ source: SourceSite, into target: DataFolder, as id: SiteID, hostnames: [String]) async throws -> (any SiteImportStaging, SiteRecords) {
        var records = try await source.folder.store.records(of: source.site.id)
        records.site.id = id
        records.site.hostnames = hostnames
        let blobs = try await source.folder.store.content(of: source.site.id).blobs
        let staging = try await target.store.beginSiteImport(id)
        for digest in records.referencedBlobs {
            let file = staging.scratchFolder.appendingPathComponent(UUID().uuidString)
            try await blobs.data(digest).write(to: file)
            try await staging.addBlob(file: file, sha256: digest)
        }
        return (staging, records)
    }

    @Test func aCommittedSiteIsRegisteredAndServesItsContent() async throws {
        let source = try await SourceSite.make()
        let target = try DataFolder.make()
        let id = try SiteID("copy")
        let (staging, records) = try await stage(source, into: target, as: id, hostnames: ["copy.test"])
        let skipped = try await staging.commit(records)
        await staging.discard()
        #expect(Set(skipped.map(\.username)) == ["jane", "sam"])
        #expect(try await target.store.site(forHostname: "copy.test")?.id == id)
        let copy = try await target.store.content(of: id)
        #expect(try await copy.root().path == "/")
        for digest in records.referencedBlobs { #expect(copy.blobs.localFile(digest) != nil) }
        let staged = try FileManager.default.contentsOfDirectory(atPath: target.url.appendingPathComponent("staging").path)
        #expect(staged.isEmpty)
    }

    @Test func aCommitRefusedForATakenHostnameLeavesNothingBehind() async throws {
        let source = try await SourceSite.make()
        let target = try DataFolder.make()
        try await target.administration.createSite(id: "other", name: "Other", hostnames: ["taken.test"])
        let id = try SiteID("copy")
        let (staging, records) = try await stage(source, into: target, as: id, hostnames: ["taken.test"])
        await #expect(throws: PorticoError.alreadyExists("hostname taken.test (used by site other)")) {
            _ = try await staging.commit(records)
        }
        await staging.discard()
        try await target.expectNothingLeft(of: id)
    }

    @Test func aCommitMissingABlobFailsAfterWritingTheDatabaseAndLeavesNothingBehind() async throws {
        let source = try await SourceSite.make()
        let target = try DataFolder.make()
        let id = try SiteID("copy")
        let (staging, staged) = try await stage(source, into: target, as: id, hostnames: [])
        var records = staged
        records.site.settings.logo?.sha256 = String(repeating: "0", count: 64)
        let error = await #expect(throws: PorticoError.self) { _ = try await staging.commit(records) }
        #expect(error?.description.contains("blob") == true)
        await staging.discard()
        try await target.expectNothingLeft(of: id)
    }

    @Test func aCommitForAnotherIdIsRefused() async throws {
        let source = try await SourceSite.make()
        let target = try DataFolder.make()
        let (staging, records) = try await stage(source, into: target, as: SiteID("copy"), hostnames: [])
        var other = records
        other.site.id = try SiteID("elsewhere")
        await #expect(throws: PorticoError.self) { _ = try await staging.commit(other) }
        await staging.discard()
        try await target.expectNothingLeft(of: SiteID("copy"))
        try await target.expectNothingLeft(of: SiteID("elsewhere"))
    }
}
