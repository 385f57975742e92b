public import PorticoCore

/// What the monitoring views and metrics ask of a store, beside the content contract: how
/// full its pools are and whether every database has the schema this code expects.
///
/// Kept apart from `ContentStore` because it is about operating one implementation, not
/// about content; a store that cannot answer simply does not conform.
public protocol StoreMonitoring: Sendable {
    /// Site databases open now, and the most that may be open at once (the open-sites LRU).
    var openSiteUsage: (open: Int, capacity: Int) { get }
    /// How the database connection pools are sized.
    var connectionPools: StoreConnectionPools { get }
    /// Every database's recorded schema next to the one this code expects. Site databases are
    /// opened one at a time, read-only, and closed at once: checking never migrates anything
    /// and never keeps more files open than one.
    func schemaVersions() async throws -> StoreSchemaReport
}

/// The sizes of the database connection pools.
///
/// Connections are opened lazily, so the live count is not known; what is known is the most
/// that may be open now (one writer and the configured readers per open database) and the
/// most that may ever be open (the same with the open-sites LRU full).
public struct StoreConnectionPools: Sendable, Equatable {
    /// Readers of the platform database.
    public var platformReaders: Int
    /// Readers of each open site database.
    public var readersPerSite: Int
    /// Site databases open now.
    public var openSites: Int
    /// The most site databases open at once.
    public var openSitesCapacity: Int

    public init(platformReaders: Int, readersPerSite: Int, openSites: Int, openSitesCapacity: Int) {
        self.platformReaders = platformReaders
        self.readersPerSite = readersPerSite
        self.openSites = openSites
        self.openSitesCapacity = openSitesCapacity
    }

    /// The most connections that may be open now: one writer plus the readers, for the
    /// platform database and every open site database.
    public var connections: Int { (1 + platformReaders) + openSites * (1 + readersPerSite) }
    /// The most connections that may ever be open.
    public var connectionCapacity: Int { (1 + platformReaders) + openSitesCapacity * (1 + readersPerSite) }
}

/// The schema recorded in every database, against the migrations this code knows.
public struct StoreSchemaReport: Sendable, Equatable {
    /// What one database records about its schema.
    public struct Recorded: Sendable, Equatable {
        /// `PRAGMA user_version`: the number of migrations applied when it was last migrated.
        public var version: Int
        /// The migration identifiers recorded as applied.
        public var migrations: Set<String>
        /// Why the schema could not be read (a missing file, not a database), if it could not.
        public var failure: String?

        public init(version: Int, migrations: Set<String>, failure: String? = nil) {
            self.version = version
            self.migrations = migrations
            self.failure = failure
        }

        /// A database whose schema could not be read.
        public static func unreadable(_ reason: String) -> Recorded {
            Recorded(version: 0, migrations: [], failure: reason)
        }

        /// Applied migrations this code does not know: a newer release migrated the database.
        public func unknown(expected: [String]) -> [String] {
            migrations.subtracting(expected).sorted()
        }

        /// Migrations this code expects that are not applied yet (an older release wrote the
        /// database; a site is migrated when it is next opened).
        public func pending(expected: [String]) -> [String] {
            expected.filter { !migrations.contains($0) }
        }

        /// Whether the database has exactly the expected schema.
        public func matches(expected: [String]) -> Bool {
            failure == nil && version == expected.count && migrations == Set(expected)
        }
    }

    /// One site's database.
    public struct SiteSchema: Sendable, Equatable {
        public var site: SiteID
        public var recorded: Recorded

        public init(site: SiteID, recorded: Recorded) {
            self.site = site
            self.recorded = recorded
        }
    }

    /// The platform migrations this code knows, in order.
    public var expectedPlatform: [String]
    /// The site migrations this code knows, in order.
    public var expectedSite: [String]
    public var platform: Recorded
    /// Every site, sorted by id.
    public var sites: [SiteSchema]

    public init(expectedPlatform: [String], expectedSite: [String], platform: Recorded, sites: [SiteSchema]) {
        self.expectedPlatform = expectedPlatform
        self.expectedSite = expectedSite
        self.platform = platform
        self.sites = sites
    }

    /// The sites whose schema differs from the expected one.
    public var mismatchedSites: [SiteSchema] { sites.filter { !$0.recorded.matches(expected: expectedSite) } }
    /// Whether the platform and every site database have the expected schema.
    public var isConsistent: Bool { platform.matches(expected: expectedPlatform) && mismatchedSites.isEmpty }
}
