import Foundation
import Logging
import PorticoCache
import PorticoCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps this process's in-memory state (response cache, site directory, schedule answers)
/// in step with writes made by the other processes of the platform.
///
/// Outgoing: every content event becomes a message published before the write's response is
/// sent. Incoming: `synchronize()` runs at the start of every request, before the site is
/// resolved and before the cache is consulted, and applies what other processes published.
public final class ClusterSync: Sendable {
    /// One message: what became stale, and site records that changed.
    struct Message: Codable {
        var origin: UInt64
        var site: SiteID
        /// Surrogate keys of what changed; nil means the whole site.
        var keys: [String]?
        /// The site's new record (created or updated).
        var record: Site?
        var deleted: Bool?
        /// The record did not fit: reload the directory from the store.
        var reload: Bool?
    }

    let bus: any ClusterBus
    let cache: ResponseCache
    let directory: SiteDirectory
    let schedule: ScheduleTracker
    let logger: Logger
    /// Who published a message: its own messages are already applied by the publisher.
    let origin = UInt64.random(in: 1...UInt64.max)

    init(bus: any ClusterBus, cache: ResponseCache, directory: SiteDirectory, schedule: ScheduleTracker, logger: Logger) {
        self.bus = bus
        self.cache = cache
        self.directory = directory
        self.schedule = schedule
        self.logger = logger
    }

    /// Publishes what an event made stale. A failure here would let other workers serve
    /// stale pages, so it is logged loudly and every worker's cache is dropped if possible.
    public func publish(_ event: ContentEvent) {
        var message = Message(origin: origin, site: event.siteID)
        switch Invalidation.of(event) {
        case .dependencies(_, let dependencies): message.keys = dependencies.map(\.key).sorted()
        case .site: message.keys = nil
        }
        switch event {
        case .siteCreated(let site): message.record = site
        case .siteUpdated(_, let site): message.record = site
        case .siteDeleted: message.deleted = true
        case .itemCreated, .itemUpdated, .itemDeleted: break
        }
        let encoder = JSONEncoder()
        var payload = (try? encoder.encode(message)).map(Array.init) ?? []
        if payload.count > 3000 {
            message.keys = nil
            if message.record != nil {
                message.record = nil
                message.reload = true
            }
            payload = (try? encoder.encode(message)).map(Array.init) ?? []
        }
        do {
            try bus.publish(payload)
        } catch {
            logger.critical("could not tell the other workers about a write; they may serve stale pages until restarted", metadata: ["error": "\(error)"])
        }
    }

    /// Applies what other processes published since the last call. Cheap when nothing did.
    public func synchronize() {
        // The bus counts messages as applied once they are received; a request that starts
        // while another one is still applying them must wait for that, not go on with what
        // they invalidate. So receiving and applying happen under one lock, and `applying`
        // counts the requests inside or waiting for it.
        guard bus.hasNews || applying.load(ordering: .acquiring) > 0 else { return }
        applying.add(1, ordering: .acquiringAndReleasing)
        defer { applying.subtract(1, ordering: .acquiringAndReleasing) }
        receiving.withLock { _ in
            guard bus.hasNews else { return }  // another request applied them meanwhile
            switch bus.receive() {
            case .lost:
                logger.warning("missed cluster messages: dropping the whole response cache")
                cache.removeAll()
                schedule.forgetAll()
                reloadDirectory()
            case .messages(let payloads):
                let decoder = JSONDecoder()
                for payload in payloads {
                    guard let message = try? decoder.decode(Message.self, from: Data(payload)) else {
                        logger.error("unreadable cluster message: dropping the whole response cache")
                        cache.removeAll()
                        schedule.forgetAll()
                        continue
                    }
                    guard message.origin != origin else { continue }
                    apply(message)
                }
            }
        }
    }

    private let receiving = Mutex(())
    private let applying = Atomic<Int>(0)

    private func apply(_ message: Message) {
        if let record = message.record {
            if let known = directory.site(record.id) {
                directory.apply(.siteUpdated(before: known, after: record))
            } else {
                directory.apply(.siteCreated(record))
            }
        }
        if message.deleted == true { directory.apply(.siteDeleted(message.site)) }
        if message.reload == true { reloadDirectory() }
        schedule.forget(message.site)
        if let keys = message.keys {
            let dependencies = keys.compactMap(Dependency.init(key:))
            if dependencies.count == keys.count {
                cache.invalidate(.dependencies(message.site, Set(dependencies)))
                return
            }
        }
        cache.invalidate(.site(message.site))
    }

    private func reloadDirectory() {
        let directory = self.directory
        let logger = self.logger
        Task {
            do { try await directory.reload() } catch { logger.error("reloading the site directory failed", metadata: ["error": "\(error)"]) }
        }
    }
}
