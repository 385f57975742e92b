import Foundation
public import Logging
public import PorticoCore
public import PorticoStore
public import PorticoContent
public import PorticoCache

/// Everything a running node needs, wired once: the store, the event bus, the write services,
/// the site directory and the theme. The CLI and the tests build one of these.
public struct PorticoServices: Sendable {
    public let store: any ContentStore
    public let events: ContentEventBus
    public let content: ContentService
    public let administration: SiteAdministration
    public let sessions: SessionService
    /// The largest upload accepted, in bytes.
    public let uploadLimit: Int
    /// The node's shared response cache, kept current by content events.
    public let cache: ResponseCache
    public let cacheConfiguration: CacheConfiguration
    /// Admission control for renders (overload protection).
    public let gate: RenderGate
    let flights = SingleFlight<CacheKey, CachedResponse>()
    let schedule: ScheduleTracker
    /// Public pages' first reads, reused until their site changes.
    let pageReads: PageReadsCache
    public let directory: SiteDirectory
    public let theme: Theme
    public let clock: any PorticoClock
    public let logger: Logger
    /// Keeps this process in step with the other workers' writes (nil when serving alone).
    public let cluster: ClusterSync?
    /// Whether the node takes traffic (false while starting and while draining).
    public let readiness = Readiness()
    /// Follows site changes made by other processes (run it as a service).
    public let siteWatcher: SiteWatcher
    /// One line per request (off by default, so tests stay quiet).
    public let accessLog: AccessLog
    /// This node's metrics, served at `/metrics`.
    public let metrics: PorticoMetrics
    /// The feature switches (search, login, feeds, uploads) as this process sees them. Run it
    /// as a service to follow changes other processes make.
    public let switchboard: FeatureSwitchboard
    /// Lets `/metrics` and `/_monitor/…` answer clients outside loopback that send
    /// `Authorization: Bearer <token>`; nil means loopback only.
    public var monitorToken: String?
    /// Where "back up now" in the platform admin UI writes (`backup.folder`); nil means the
    /// button explains that it must be configured first.
    public var backupFolder: URL?

    public init(store: any ContentStore, theme: Theme, clock: any PorticoClock = SystemClock(), ids: any IdentifierSource = RandomIdentifierSource(), bcryptCost: UInt8 = 12, uploadLimit: Int = 20 * 1024 * 1024, cache cacheConfiguration: CacheConfiguration = CacheConfiguration(), purgeTargets: [URL] = [], clusterBus: (any ClusterBus)? = nil, accessLog: AccessLog = .disabled, monitorToken: String? = nil, backupFolder: URL? = nil, logger: Logger = Logger(label: "portico")) async throws {
        self.store = store
        self.theme = theme
        self.clock = clock
        self.logger = logger
        self.accessLog = accessLog
        self.monitorToken = monitorToken
        self.backupFolder = backupFolder
        let events = ContentEventBus()
        self.events = events
        self.content = ContentService(store: store, events: events, clock: clock, ids: ids)
        self.administration = SiteAdministration(store: store, events: events, clock: clock, ids: ids, bcryptCost: bcryptCost)
        self.sessions = SessionService(store: store, clock: clock)
        self.uploadLimit = uploadLimit
        let directory = SiteDirectory(store: store)
        try await directory.reload()
        events.subscribe { event in directory.apply(event) }
        self.directory = directory
        self.cacheConfiguration = cacheConfiguration
        let cache = ResponseCache(capacity: cacheConfiguration.capacityBytes)
        self.cache = cache
        let gate = RenderGate(capacity: cacheConfiguration.maximumRenders, editorReserve: cacheConfiguration.editorReserve,
                              maximumQueue: cacheConfiguration.maximumQueue, maximumWait: cacheConfiguration.maximumWait)
        self.gate = gate
        let schedule = ScheduleTracker(store: store)
        self.schedule = schedule
        let pageReads = PageReadsCache(capacityBytes: cacheConfiguration.pageDataBytes, maximumAge: cacheConfiguration.freshFor, schedule: schedule)
        self.pageReads = pageReads
        self.metrics = PorticoMetrics(cache: cache, gate: gate, store: store, pageReads: pageReads)
        // Invalidation happens before the write's response is sent (publish awaits subscribers).
        events.subscribe { event in
            schedule.forget(event.siteID)
            cache.invalidate(Invalidation.of(event))
        }
        // Cached responses are anonymous and do not depend on flags, except the feed (and the
        // `/_search` answer): flag changes are rare, so every change empties this node's cache.
        let switchboard = FeatureSwitchboard(store: store, clock: clock, logger: logger) { _, _ in cache.removeAll() }
        try await switchboard.refresh()
        self.switchboard = switchboard
        self.siteWatcher = SiteWatcher(store: store, directory: directory, cache: cache, schedule: schedule, logger: logger)
        if let clusterBus {
            let cluster = ClusterSync(bus: clusterBus, cache: cache, directory: directory, schedule: schedule, logger: logger)
            events.subscribe { event in cluster.publish(event) }
            self.cluster = cluster
        } else {
            self.cluster = nil
        }
        if !purgeTargets.isEmpty {
            let purger = ExternalPurger(targets: purgeTargets, logger: logger)
            events.subscribe { event in await purger.purge(Invalidation.of(event)) }
        }
    }
}
