public import PorticoCore
public import PorticoStore
import Synchronization

/// All sites by id and by hostname, in memory, so that resolving a request's site costs a
/// dictionary lookup and never opens a site database. Kept current by site events.
public final class SiteDirectory: Sendable {
    private struct Snapshot {
        var byID: [SiteID: Site] = [:]
        var byHost: [String: SiteID] = [:]
    }

    private let snapshot = Mutex(Snapshot())
    let store: any ContentStore

    public init(store: any ContentStore) {
        self.store = store
    }

    /// Reloads every site from the store.
    public func reload() async throws {
        let sites = try await store.sites()
        var next = Snapshot()
        for site in sites {
            next.byID[site.id] = site
            for host in site.hostnames { next.byHost[host] = site.id }
        }
        snapshot.withLock { $0 = next }
    }

    public func site(forHost host: String) -> Site? {
        snapshot.withLock { snapshot in snapshot.byHost[host].flatMap { snapshot.byID[$0] } }
    }

    public func site(_ id: SiteID) -> Site? {
        snapshot.withLock { $0.byID[id] }
    }

    public var count: Int { snapshot.withLock { $0.byID.count } }

    /// Applies a site event; content events need nothing here.
    public func apply(_ event: ContentEvent) {
        snapshot.withLock { snapshot in
            switch event {
            case .siteCreated(let site):
                snapshot.byID[site.id] = site
                for host in site.hostnames { snapshot.byHost[host] = site.id }
            case .siteUpdated(let before, let after):
                for host in before.hostnames where snapshot.byHost[host] == before.id { snapshot.byHost[host] = nil }
                snapshot.byID[after.id] = after
                for host in after.hostnames { snapshot.byHost[host] = after.id }
            case .siteDeleted(let id):
                if let old = snapshot.byID.removeValue(forKey: id) {
                    for host in old.hostnames where snapshot.byHost[host] == id { snapshot.byHost[host] = nil }
                }
            case .itemCreated, .itemUpdated, .itemDeleted:
                break
            }
        }
    }
}
