import Foundation
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore
import Testing

@Suite struct ArchiveRoundTripTests {
    @Test func exportThenImportIntoAnotherDataFolderKeepsEveryRecordAndBlob() async throws {
        let source = try await SourceSite.make()
        let archive = Scratch.folder().appendingPathComponent("demo.zip")
        let exportLog = ProgressLog()
        let exported = try await Lifecycle.exportSite(source.site.id, store: source.folder.store, to: archive, progress: { exportLog.record($0) })
        #expect(exportLog.phases == ["reading", "writing", "blobs"])

        // Another node: Jane has an account there (under another id), Sam has none.
        let target = try DataFolder.make()
        let janeThere = try await target.createUser("jane")
        #expect(janeThere.id != source.jane.id)
        let importLog = ProgressLog()
        let newID = try SiteID("copy")
        let report = try await Lifecycle.importSite(from: archive, as: newID, hostnames: ["Copy.Test"], store: target.store, progress: { importLog.record($0) })
        #expect(importLog.phases == ["reading", "verifying", "blobs", "writing"])

        let before = try await source.folder.store.records(of: source.site.id)
        let after = try await target.store.records(of: newID)

        // The site: new id and hostnames, everything else as it was.
        #expect(after.site.id == newID)
        #expect(after.site.hostnames == ["copy.test"])
        #expect(after.site.settings == before.site.settings)
        #expect(after.site.status == before.site.status)
        #expect(after.site.created == before.site.created)
        #expect(report.site == after.site)

        // Items and revisions field by field; only user ids change, to Jane's id here.
        func local(_ user: UserID?) -> UserID? { user == source.jane.id ? janeThere.id : user }
        #expect(after.items.count == before.items.count)
        #expect(before.items.contains { $0.creator == source.jane.id })
        for (old, new) in zip(before.items, after.items) {
            var expected = old
            expected.creator = local(old.creator)
            #expect(new == expected, "item \(old.path)")
        }
        #expect(after.revisions.count == before.revisions.count)
        #expect(before.revisions.contains { revision in !before.items.contains { $0.id == revision.itemID } }, "history of a deleted item")
        for (old, new) in zip(before.revisions, after.revisions) {
            var expected = old
            expected.author = local(old.author)
            expected.snapshot.creator = local(old.snapshot.creator)
            #expect(new == expected, "revision \(old.version) of \(old.snapshot.path)")
        }
        #expect(!before.redirects.isEmpty)
        #expect(after.redirects == before.redirects)

        // Grants by username: Sam's is reported and skipped.
        #expect(before.grants.count == 2)
        #expect(after.grants == before.grants.filter { $0.username == "jane" })
        #expect(report.skippedGrants.map(\.grant) == before.grants.filter { $0.username == "sam" })
        #expect(report.skippedGrants.map(\.reason) == [.unknownUser])
        #expect(report.unknownUsers == ["sam"])
        let janeGrants = try await target.store.grants(user: janeThere.id)
        #expect(janeGrants.map(\.site) == [newID])

        // Blobs byte for byte: images, files and the logo.
        let blobs = before.referencedBlobs
        #expect(blobs.count >= 3)
        #expect(blobs.contains(try #require(before.site.settings.logo).sha256))
        let sourceBlobs = try await source.folder.store.content(of: source.site.id).blobs
        let targetBlobs = try await target.store.content(of: newID).blobs
        for digest in blobs {
            let original = try await sourceBlobs.data(digest)
            let copy = try await targetBlobs.data(digest)
            #expect(copy == original, "blob \(digest)")
        }

        // The counts agree everywhere, and the site works through the ordinary store.
        #expect(exported.counts == ArchiveCounts(items: before.items.count, revisions: before.revisions.count, redirects: before.redirects.count,
                                                 grants: 2, users: 2, blobs: blobs.count))
        #expect(report.counts == ArchiveCounts(items: before.items.count, revisions: before.revisions.count, redirects: before.redirects.count,
                                               grants: 1, users: 1, blobs: blobs.count))
        #expect(report.sourceSiteID == "demo")
        #expect(report.sourcePorticoVersion == PorticoVersion.string)
        let copy = try await target.store.content(of: newID)
        let history = try #require(try await copy.item(path: "/about/history"))
        #expect(try await copy.redirect(from: "/about/our-history") == history.id)
        #expect(try await target.store.site(forHostname: "copy.test")?.id == newID)
        #expect(try await copy.schemaVersion() == SQLiteContentStore.siteSchemaVersion)
    }

    @Test func anArchiveCanBeImportedBesideItsSourceUnderANewIdButNotOverAnything() async throws {
        let source = try await SourceSite.make()
        let archive = try await source.export()
        let store = source.folder.store

        let taken = await #expect(throws: PorticoError.self) {
            try await Lifecycle.importSite(from: archive, as: source.site.id, hostnames: ["other.test"], store: store)
        }
        #expect(taken == .alreadyExists("site demo"))
        let hostname = await #expect(throws: PorticoError.self) {
            try await Lifecycle.importSite(from: archive, as: SiteID("twin"), hostnames: ["demo.test"], store: store)
        }
        #expect(hostname == .alreadyExists("hostname demo.test (used by site demo)"))
        try await source.folder.expectNothingLeft(of: SiteID("twin"))

        let report = try await Lifecycle.importSite(from: archive, as: SiteID("twin"), hostnames: ["twin.test"], store: store)
        #expect(report.skippedGrants.isEmpty)
        #expect(report.unknownUsers.isEmpty)
        let twin = try await store.records(of: SiteID("twin"))
        let original = try await store.records(of: source.site.id)
        #expect(twin.items == original.items)
        #expect(twin.revisions == original.revisions)
        #expect(twin.grants == original.grants)
        #expect(try await store.sites().map(\.id.rawValue) == ["demo", "twin"])
    }

    @Test func theManifestListsEveryEntryWithItsSizeAndChecksum() async throws {
        let source = try await SourceSite.make()
        let archive = try TestArchive(reading: try await source.export())
        let manifest = try #require(archive.manifest)
        #expect(manifest["format"] as? String == "portico-site-archive")
        #expect(manifest["formatVersion"] as? Int == 1)
        #expect(manifest["porticoVersion"] as? String == PorticoVersion.string)
        let site = try #require(manifest["site"] as? [String: Any])
        #expect(site["id"] as? String == "demo")
        #expect(site["hostnames"] as? [String] == ["demo.test"])
        let entries = try #require(manifest["entries"] as? [[String: Any]])
        #expect(Set(entries.compactMap { $0["path"] as? String }) == Set(archive.files.map(\.path)))
        for entry in entries {
            let path = try #require(entry["path"] as? String)
            let data = try #require(archive[path])
            #expect(entry["size"] as? Int == data.count, "\(path)")
            #expect(entry["sha256"] as? String == TestArchive.sha256(data), "\(path)")
        }
        for path in archive.blobPaths {
            #expect(path == "blobs/" + TestArchive.sha256(try #require(archive[path])))
        }
        for document in ["site.json", "items.json", "revisions.json", "redirects.json", "grants.json", "users.json"] {
            #expect(archive[document] != nil, "\(document)")
        }
    }

    @Test func exportRefusesToOverwriteAFile() async throws {
        let source = try await SourceSite.make()
        let archive = try await source.export()
        let error = await #expect(throws: PorticoError.self) {
            try await Lifecycle.exportSite(source.site.id, store: source.folder.store, to: archive)
        }
        #expect(error == .alreadyExists("the file \(archive.path)"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: archive.deletingLastPathComponent().path)
        #expect(leftovers == ["demo.zip"])
    }
}
