import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

@Suite struct BadInputTests {
    @Test(arguments: [
        "/..", "/../platform.sqlite", "/%2e%2e/%2e%2e/etc/passwd", "/news/..%2f..%2fplatform.sqlite", "/news%2F..",
        "/a%00b", "/%00", "/news/%5c..%5c", "/" + String(repeating: "x", count: 2000), "/%ff%fe", "/%",
        "/_blob/..%2f..%2fplatform.sqlite/x", "/_blob/%2e%2e/%2e%2e", "/_site/demo/..%2f..%2fsites",
    ])
    func traversalNeverEscapes(_ path: String) async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let response = try await client.get(path)
            #expect([.badRequest, .notFound].contains(response.status), "\(path) → \(response.status)")
            #expect(!response.body.contains("SQLite format"))
            #expect(!response.body.contains("root:"))
        }
    }

    @Test func aBrokenSiteDatabaseAffectsOnlyThatSite() async throws {
        let f = try await WebFixture.make()
        // Close beta's database, then replace it with garbage.
        _ = try await f.services.administration.createSite(id: "filler", name: "Filler", hostnames: ["filler.test"])
        for index in 0..<10 {
            _ = try await f.services.administration.createSite(id: "pad\(index)", name: "Pad", hostnames: ["pad\(index).test"])
            _ = try await f.store.content(of: try SiteID("pad\(index)")).root()
        }
        let database = f.folder.appendingPathComponent("sites/beta/content.sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database.path + suffix) }
        try Data(repeating: 0x13, count: 4096).write(to: database)
        try await f.test { client in
            let broken = try await client.get("/", host: "beta.test")
            #expect(broken.status == .serviceUnavailable)
            #expect(broken.headers[.retryAfter] != nil)
            #expect(broken.body.contains("temporarily unavailable"))
            #expect(!broken.body.contains(f.folder.path))
            #expect(try await client.get("/", host: "demo.test").status == .ok)
            #expect(try await client.get("/news", host: "demo.test").status == .ok)
        }
    }

    @Test func rangeHeadersThatMakeNoSenseAreHandled() async throws {
        let f = try await WebFixture.make()
        let image = try await f.item(f.demo, "/about/the-riverside-campus")
        let url = "/_blob/\(image.blob!.sha256)/campus.png"
        try await f.test { client in
            for header in ["bytes=5-2", "bytes=abc", "items=0-1", "bytes=0-1,5-6", "bytes=-", ""] {
                let response = try await client.get(url, headers: [.range: header])
                #expect(response.status == .ok, "\(header)")
            }
            #expect(try await client.get(url, headers: [.range: "bytes=-0"]).status == .rangeNotSatisfiable)
        }
    }

    @Test func unsupportedMethodsAreRefusedCleanly() async throws {
        let f = try await WebFixture.make()
        try await f.test { client in
            let response = try await client.get("/news", method: .delete)
            #expect(response.status.code >= 400 && response.status.code < 500)
        }
    }
}
