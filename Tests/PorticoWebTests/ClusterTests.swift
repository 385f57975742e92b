import Foundation
import PorticoTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// The shared-memory bus that keeps the response caches of a node's worker processes in step.
@Suite struct SharedMemoryBusTests {
    static func busPath() throws -> String {
        let path = TestFolders.path("portico-bus")
        try SharedMemoryBus.create(at: path)
        return path
    }

    @Test func aMessageReachesEveryMapping() throws {
        let path = try Self.busPath()
        let a = try SharedMemoryBus(path: path)
        let b = try SharedMemoryBus(path: path)
        #expect(!b.hasNews)
        try a.publish(Array("hello".utf8))
        try a.publish(Array("world".utf8))
        #expect(b.hasNews)
        #expect(b.receive() == .messages([Array("hello".utf8), Array("world".utf8)]))
        #expect(!b.hasNews)
        #expect(b.receive() == .messages([]))
        // The publisher's own mapping sees them too (ClusterSync skips its own by origin).
        #expect(a.receive() == .messages([Array("hello".utf8), Array("world".utf8)]))
    }

    @Test func aNewMappingStartsAfterWhatWasAlreadyPublished() throws {
        let path = try Self.busPath()
        let a = try SharedMemoryBus(path: path)
        try a.publish([1, 2, 3])
        let late = try SharedMemoryBus(path: path)
        #expect(!late.hasNews)
        try a.publish([4])
        #expect(late.receive() == .messages([[4]]))
    }

    @Test func aReaderThatFellALapBehindIsToldItLostMessages() throws {
        let path = try Self.busPath()
        let a = try SharedMemoryBus(path: path)
        let slow = try SharedMemoryBus(path: path)
        for index in 0..<2100 { try a.publish(Array("m\(index)".utf8)) }
        #expect(slow.receive() == .lost)
        // And it is back in step afterwards.
        try a.publish([9])
        #expect(slow.receive() == .messages([[9]]))
    }

    @Test func badFilesAndOversizedMessagesAreRefused() throws {
        let path = TestFolders.path("portico-notabus")
        try Data("not a bus".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SharedMemoryBus.Failure.self) { try SharedMemoryBus(path: path) }
        #expect(throws: SharedMemoryBus.Failure.self) { try SharedMemoryBus(path: path + "-missing") }
        let bus = try SharedMemoryBus(path: try Self.busPath())
        #expect(throws: SharedMemoryBus.Failure.self) { try bus.publish([UInt8](repeating: 1, count: 5000)) }
    }
}

/// Two "workers" (two sets of services over one data folder and one bus): a write answered by
/// one is never served stale by the other, and evicts only what it changed there too.
@Suite struct CrossWorkerInvalidationTests {
    @Test func aWriteOnOneWorkerEvictsExactlyWhatItChangedOnTheOther() async throws {
        let fixture = try await WebFixture.make()
        let bus = try SharedMemoryBusTests.busPath()
        func worker() async throws -> PorticoServices {
            let store = try SQLiteContentStore(dataFolder: fixture.folder, maximumOpenSites: 8)
            return try await PorticoServices(store: store, theme: try Theme(), bcryptCost: 4, clusterBus: try SharedMemoryBus(path: bus))
        }
        let first = try await worker()
        let second = try await worker()
        let story = try await fixture.item(fixture.demo, "/contact")
        let other = try await fixture.item(fixture.demo, "/about")
        let secondApp = Application(responder: PorticoApplication.responder(second))
        try await secondApp.test(.router) { client in
            for path in [story.path, other.path] {
                _ = try await client.get(path)
                #expect(try await client.get(path).headers[HTTPField.Name("X-Cache")!] == "HIT")
            }
            var draft = ItemDraft(story)
            draft.body = "Written on the first worker."
            try await first.content.update(in: fixture.demo.id, id: story.id, draft, expectedVersion: story.version, by: .system)
            let edited = try await client.get(story.path)
            #expect(edited.body.contains("Written on the first worker."))
            #expect(edited.headers[HTTPField.Name("X-Cache")!] == "MISS")
            let untouched = try await client.get(other.path)
            #expect(untouched.headers[HTTPField.Name("X-Cache")!] == "HIT")
        }
    }

    @Test func siteSettingsChangedOnOneWorkerReachTheOther() async throws {
        let fixture = try await WebFixture.make()
        let bus = try SharedMemoryBusTests.busPath()
        let first = try await PorticoServices(store: try SQLiteContentStore(dataFolder: fixture.folder), theme: try Theme(), bcryptCost: 4,
                                              clusterBus: try SharedMemoryBus(path: bus))
        let second = try await PorticoServices(store: try SQLiteContentStore(dataFolder: fixture.folder), theme: try Theme(), bcryptCost: 4,
                                               clusterBus: try SharedMemoryBus(path: bus))
        let app = Application(responder: PorticoApplication.responder(second))
        try await app.test(.router) { client in
            #expect(try await client.get("/", host: "beta.test").status == .ok)
            #expect(try await client.get("/", host: "gamma.test").status == .notFound)
            _ = try await first.administration.updateSite(fixture.beta.id) { $0.hostnames = ["gamma.test"] }
            #expect(try await client.get("/", host: "gamma.test").status == .ok)
            #expect(try await client.get("/", host: "beta.test").status == .notFound)
        }
    }
}

/// Changes made by another process (the CLI, another node) reach a running one through the
/// store's site change feed.
@Suite struct SiteWatcherTests {
    @Test func sitesCreatedChangedAndDeletedElsewhereAreFollowed() async throws {
        let fixture = try await WebFixture.make()
        let running = try await PorticoServices(store: try SQLiteContentStore(dataFolder: fixture.folder), theme: try Theme(), bcryptCost: 4)
        try await running.siteWatcher.start()
        // "Elsewhere": another store and services on the same data folder, as the CLI would be.
        let cli = try await PorticoServices(store: try SQLiteContentStore(dataFolder: fixture.folder), theme: try Theme(), bcryptCost: 4)
        let app = Application(responder: PorticoApplication.responder(running))
        try await app.test(.router) { client in
            #expect(try await client.get("/", host: "beta.test").headers[HTTPField.Name("X-Cache")!] == "MISS")
            #expect(try await client.get("/", host: "beta.test").headers[HTTPField.Name("X-Cache")!] == "HIT")
            _ = try await cli.administration.createSite(id: "gamma", name: "Gamma", hostnames: ["gamma.test"])
            _ = try await cli.administration.updateSite(fixture.beta.id) { $0.status = .disabled }
            #expect(try await client.get("/", host: "gamma.test").status == .notFound)
            let reloaded = try await running.siteWatcher.poll()
            #expect(reloaded == [try SiteID("gamma"), fixture.beta.id])
            #expect(try await client.get("/", host: "gamma.test").status == .ok)
            let maintenance = try await client.get("/", host: "beta.test")
            #expect(maintenance.status == .serviceUnavailable)
            #expect(maintenance.body.contains("maintenance"))
            try await cli.administration.deleteSite(try SiteID("gamma"))
            try await running.siteWatcher.poll()
            #expect(try await client.get("/", host: "gamma.test").status == .notFound)
            #expect(try await running.siteWatcher.poll().isEmpty)
        }
    }
}
