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

/// Many sites on one node keep a bounded number of files open.
@Suite struct ManySitesTests {
    /// Descriptors of this process that point into `folder`.
    static func openFiles(under folder: URL) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.filter { entry in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)")) ?? ""
            return target.hasPrefix(folder.path + "/sites/")
        }.count
    }

    @Test func openFilesStayBoundedWhateverTheNumberOfSites() async throws {
        let folder = TestFolders.url("portico-many").standardizedFileURL
        let store = try SQLiteContentStore(dataFolder: folder, maximumOpenSites: 4, readersPerSite: 2)
        let services = try await PorticoServices(store: store, theme: try Theme(), bcryptCost: 4)
        for index in 0..<40 {
            _ = try await services.administration.createSite(id: "site\(index)", name: "Site \(index)", hostnames: ["site\(index).test"])
        }
        let app = Application(responder: PorticoApplication.responder(services))
        let peak = Locked(0)
        try await app.test(.router) { client in
            for round in 0..<2 {
                for index in (0..<40).shuffled() {
                    let page = try await client.get("/", host: "site\(index).test")
                    #expect(page.status == .ok, "round \(round), site \(index)")
                    #expect(store.openSiteUsage.open <= 4)
                    let now = Self.openFiles(under: folder)
                    peak.withLock { $0 = max($0, now) }
                }
            }
        }
        // Four open sites and one evicted site waiting for its background close, each a writer
        // and up to two readers on the database and its WAL and shared-memory files: far fewer
        // than 40 sites' worth.
        let highest = peak.withLock { $0 }
        #expect(highest > 0)
        #expect(highest <= (4 + 1) * 3 * 3, "peak of \(highest) files open under the sites folder")
    }
}
