import Foundation
import PorticoTestSupport
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore
import Testing

/// A data folder with the demo site, its store and services.
struct LifecycleFixture {
    let folder: URL
    let store: SQLiteContentStore
    let content: ContentService
    let administration: SiteAdministration
    let site: Site

    static func make(withDemo: Bool = true) async throws -> LifecycleFixture {
        let folder = TestFolders.url("portico-lifecycle")
        let store = try SQLiteContentStore(dataFolder: folder)
        let events = ContentEventBus()
        let content = ContentService(store: store, events: events)
        let administration = SiteAdministration(store: store, events: events, bcryptCost: 4)
        let site = withDemo
            ? try await DemoSite.create(administration: administration, content: content, id: "demo", hostnames: ["demo.test"])
            : try await administration.createSite(id: "empty", name: "Empty", hostnames: ["empty.test"])
        return LifecycleFixture(folder: folder, store: store, content: content, administration: administration, site: site)
    }

    func item(_ path: String) async throws -> Item {
        guard let item = try await store.content(of: site.id).item(path: path) else { throw PorticoError.notFound(path) }
        return item
    }

    func edit(_ path: String, body: String) async throws {
        let item = try await item(path)
        var draft = ItemDraft(item)
        draft.body = body
        try await content.update(in: site.id, id: item.id, draft, expectedVersion: item.version, by: .system)
    }

    static func backupFolder() -> URL {
        TestFolders.url("portico-backups")
    }
}

@Suite struct BackupTests {
    @Test func aBackupTakenDuringWritesRestoresToAConsistentState() async throws {
        let f = try await LifecycleFixture.make()
        let page = try await f.item("/contact")
        let writer = Task {
            for version in 1...150 { try await f.edit("/contact", body: "Edit number \(version).") }
        }
        try await Task.sleep(for: .milliseconds(100))
        let backup = try await SiteBackup.backup(f.site.id, store: f.store, into: LifecycleFixture.backupFolder())
        try await writer.value

        // Restore into a new data folder and look inside.
        let other = try SQLiteContentStore(dataFolder: TestFolders.url("portico-restore"))
        let restored = try await SiteRestore.restore(from: backup, store: other)
        #expect(restored.id == f.site.id)
        let item = try #require(try await other.content(of: f.site.id).item(path: "/contact"))
        let revisions = try await other.content(of: f.site.id).revisions(of: item.id)
        // The item and its history were copied at one instant: the newest revision is the item.
        #expect(revisions.map(\.version).max() == item.version)
        #expect(item.version > page.version || item.version == page.version)
        if item.version > page.version { #expect(item.body == "Edit number \(item.version - page.version).") }
        let report = try await SiteCheck.check(f.site.id, store: other)
        #expect(report.isHealthy, "\(report.problems)")
        #expect(report.items > 10)
        #expect(report.blobs >= 2)
    }

    @Test func restoreReplacesTheSiteOnlyWhenAskedAndOnlyWithItsOwnBackup() async throws {
        let f = try await LifecycleFixture.make()
        try await f.edit("/contact", body: "Before the backup.")
        let backup = try await SiteBackup.backup(f.site.id, store: f.store, into: LifecycleFixture.backupFolder())
        try await f.edit("/contact", body: "After the backup.")
        _ = try await f.administration.updateSite(f.site.id) { $0.settings.name = "Renamed after the backup" }

        await #expect(throws: PorticoError.self) { try await SiteRestore.restore(from: backup, store: f.store) }
        let wrongSite = SiteRestore.Options(replace: true, expectedSite: try SiteID("other"))
        await #expect(throws: PorticoError.self) { try await SiteRestore.restore(from: backup, store: f.store, options: wrongSite) }
        #expect(try await f.item("/contact").body == "After the backup.")

        let restored = try await SiteRestore.restore(from: backup, store: f.store, options: .init(replace: true, expectedSite: f.site.id, settleTime: .zero))
        #expect(restored.settings.name == f.site.settings.name)
        #expect(restored.status == .active)
        #expect(restored.hostnames == ["demo.test"])
        #expect(try await f.item("/contact").body == "Before the backup.")
        #expect(try await f.store.site(f.site.id)?.settings.name == f.site.settings.name)
        // The replaced content is kept in the trash, not destroyed.
        let trash = try FileManager.default.contentsOfDirectory(atPath: f.store.trashFolder.path)
        #expect(trash.contains { $0.hasPrefix("demo-") })
    }

    @Test func damagedOrForeignBackupsAreRefusedAndNothingChanges() async throws {
        let f = try await LifecycleFixture.make()
        let folder = LifecycleFixture.backupFolder()
        let backup = try await SiteBackup.backup(f.site.id, store: f.store, into: folder)
        _ = try SiteBackup.verify(backup)

        // A blob changed after the backup.
        let damaged = folder.appendingPathComponent("damaged.backup")
        try FileManager.default.copyItem(at: backup, to: damaged)
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: damaged.appendingPathComponent("blobs").path).filter { $0.count > 60 }
        let blob = damaged.appendingPathComponent("blobs").appendingPathComponent(try #require(blobs.first))
        try FileManager.default.removeItem(at: blob)
        try Data("tampered".utf8).write(to: blob)
        #expect(throws: PorticoError.self) { try SiteBackup.verify(damaged) }

        // A newer format.
        let newer = folder.appendingPathComponent("newer.backup")
        try FileManager.default.copyItem(at: backup, to: newer)
        let manifestFile = newer.appendingPathComponent("backup.json")
        let text = try String(contentsOf: manifestFile, encoding: .utf8).replacingOccurrences(of: "\"formatVersion\" : 1", with: "\"formatVersion\" : 2")
        try text.write(to: manifestFile, atomically: true, encoding: .utf8)
        do {
            _ = try SiteBackup.verify(newer)
            Issue.record("a newer format was accepted")
        } catch let error as PorticoError {
            #expect(error.description.contains("newer Portico"))
        }

        // Not a backup at all.
        #expect(throws: PorticoError.self) { try SiteBackup.verify(folder) }

        let before = try await f.item("/contact")
        await #expect(throws: PorticoError.self) {
            try await SiteRestore.restore(from: damaged, store: f.store, options: .init(replace: true, settleTime: .zero))
        }
        #expect(try await f.item("/contact") == before)
        #expect(try await f.store.site(f.site.id)?.status == .active)
    }

    @Test func checkFindsDamagedAndMissingBlobs() async throws {
        let f = try await LifecycleFixture.make()
        let healthy = try await SiteCheck.check(f.site.id, store: f.store)
        #expect(healthy.isHealthy, "\(healthy.problems)")
        let blobFolder = f.store.folder(of: f.site.id).appendingPathComponent("blobs")
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: blobFolder.path).filter { $0.count > 60 }.sorted()
        #expect(blobs.count >= 2)
        let damaged = blobFolder.appendingPathComponent(blobs[0])
        try FileManager.default.removeItem(at: damaged)
        try Data("not the original bytes".utf8).write(to: damaged)
        try FileManager.default.removeItem(at: blobFolder.appendingPathComponent(blobs[1]))
        let report = try await SiteCheck.check(f.site.id, store: f.store)
        #expect(!report.isHealthy)
        #expect(report.problems.contains { $0.contains("does not match its checksum") })
        #expect(report.problems.contains { $0.contains("referred to but missing") })
    }
}
