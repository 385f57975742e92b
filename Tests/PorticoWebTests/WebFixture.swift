import Foundation
import PorticoTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Synchronization

/// A clock tests can move.
final class TestClock: PorticoClock {
    private let current = Mutex(Date())
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A data folder with the demo site on `demo.test` and a second site on `beta.test`.
struct WebFixture {
    let folder: URL
    let store: SQLiteContentStore
    let services: PorticoServices
    let clock: TestClock
    let demo: Site
    let beta: Site

    static func make(cache: CacheConfiguration = CacheConfiguration()) async throws -> WebFixture {
        let folder = TestFolders.url("portico-web")
        let store = try SQLiteContentStore(dataFolder: folder, maximumOpenSites: 8)
        let clock = TestClock()
        let services = try await PorticoServices(store: store, theme: try Theme(), clock: clock, bcryptCost: 4, cache: cache)
        let demo = try await DemoSite.create(administration: services.administration, content: services.content, id: "demo", hostnames: ["demo.test"])
        let beta = try await services.administration.createSite(id: "beta", name: "Beta Institute", hostnames: ["beta.test", "www.beta.test"])
        let betaRoot = try await store.content(of: beta.id).root()
        try await services.content.create(in: beta.id, under: betaRoot.id, ItemDraft(type: .page, title: "Beta research", body: "Only on beta."), state: .published, by: .system)
        return WebFixture(folder: folder, store: store, services: services, clock: clock, demo: demo, beta: beta)
    }

    func content(_ site: Site) async throws -> any SiteContentStore {
        try await store.content(of: site.id)
    }

    func item(_ site: Site, _ path: String) async throws -> Item {
        guard let item = try await content(site).item(path: path) else { throw PorticoError.notFound(path) }
        return item
    }

    /// Runs `test` against the router with an in-process client.
    func test(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(responder: PorticoApplication.responder(services))
        try await app.test(.router) { client in try await test(client) }
    }
}

let hostField = HTTPField.Name("Host")!

extension TestClientProtocol {
    /// GET (or another method) on `host`, returning status, headers and body text.
    func get(_ path: String, host: String = "demo.test", method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        var all = headers
        all[hostField] = host
        return try await execute(uri: path, method: method, headers: all) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }
}
