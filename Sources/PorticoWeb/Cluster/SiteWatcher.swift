import Foundation
import Logging
import PorticoCache
import PorticoCore
import PorticoStore
import ServiceLifecycle
import Synchronization

/// Follows changes other processes make to sites (the CLI creating, disabling, restoring
/// one; another worker editing settings) by polling the store's site change feed twice a
/// second: the site record is reloaded, its database handle reopened and its cached responses
/// dropped. Run as a service by `portico serve`; tests call `poll()`.
public final class SiteWatcher: Service, Sendable {
    let store: any ContentStore
    let directory: SiteDirectory
    let cache: ResponseCache
    let schedule: ScheduleTracker
    let logger: Logger
    /// The last change applied; nil until `start()`.
    private let position = Mutex<Int64?>(nil)

    init(store: any ContentStore, directory: SiteDirectory, cache: ResponseCache, schedule: ScheduleTracker, logger: Logger) {
        self.store = store
        self.directory = directory
        self.cache = cache
        self.schedule = schedule
        self.logger = logger
    }

    /// Starts following from the current end of the feed.
    public func start() async throws {
        let latest = try await store.latestSiteChange()
        position.withLock { $0 = latest }
    }

    /// Applies the changes recorded since the last call; returns the sites it reloaded.
    @discardableResult
    public func poll() async throws -> Set<SiteID> {
        guard let from = position.withLock({ $0 }) else {
            try await start()
            return []
        }
        let (latest, sites) = try await store.siteChanges(after: from)
        for id in sites {
            store.closeSite(id)
            if let site = try await store.site(id) {
                if let known = directory.site(id) {
                    directory.apply(.siteUpdated(before: known, after: site))
                } else {
                    directory.apply(.siteCreated(site))
                }
            } else {
                directory.apply(.siteDeleted(id))
            }
            schedule.forget(id)
            cache.invalidate(.site(id))
        }
        position.withLock { $0 = latest }
        return sites
    }

    public func run() async throws {
        try await start()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            do {
                try await poll()
            } catch {
                logger.error("following site changes failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
