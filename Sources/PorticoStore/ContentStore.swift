public import Foundation
public import PorticoCore

/// The reads a page view starts with, asked together (`SiteContentStore.page(_:)`).
public struct PageRead: Sendable, Equatable {
    /// The item's path.
    public var path: String
    /// The site navigation: the root's children matching this query (its `parentID` is the root's).
    public var navigation: ItemQuery
    /// The item's children matching this query (its `parentID` is the item's), read only when
    /// the item is a container with at most `smallFolder` positions (`nextPosition(under:)`).
    public var children: ItemQuery
    public var smallFolder: Int

    public init(path: String, navigation: ItemQuery, children: ItemQuery, smallFolder: Int) {
        self.path = path
        self.navigation = navigation
        self.children = children
        self.smallFolder = smallFolder
    }
}

/// What `SiteContentStore.page(_:)` found.
public struct PageReads: Sendable, Equatable {
    /// The item at the path; nil when there is none (the rest is then empty).
    public var item: Item?
    /// Its ancestors, root first; nil when one is missing (a broken tree).
    public var ancestors: [Item]?
    public var navigation: [Item]
    /// The item's children, or nil when it is not a container or has more than `smallFolder`
    /// positions.
    public var children: [Item]?

    public init(item: Item?, ancestors: [Item]?, navigation: [Item], children: [Item]?) {
        self.item = item
        self.ancestors = ancestors
        self.navigation = navigation
        self.children = children
    }
}

/// Which items a listing wants. Every store translates it into one query, so listings never
/// cost one query per item.
public struct ItemQuery: Sendable, Equatable {
    public enum Order: Sendable, Equatable {
        /// By position among siblings (folder order).
        case position
        /// Newest effective date first (news listings, feeds).
        case newestFirst
        /// Earliest event start first (upcoming events).
        case eventStart
        /// By path (sitemaps, exports): parents before children.
        case path
        /// Oldest message first (a mail thread).
        case messageDate
    }

    /// Only direct children of this item.
    public var parentID: ItemID?
    /// Only items strictly below this path.
    public var below: String?
    public var types: Set<ItemType>?
    /// Only items that are, on their own, publicly visible at this date (published, in effect,
    /// not expired). Ancestors are checked separately, see `SiteContentStore.hiddenFolderPaths(at:)`.
    public var publiclyVisibleAt: Date?
    /// Only items whose blob has this digest.
    public var blobSHA256: String?
    /// Only events that end after this date.
    public var eventsEndingAfter: Date?
    /// Only messages of this thread (`MessageDetails.threadID`).
    public var threadID: String?
    public var order: Order
    public var limit: Int?
    public var offset: Int

    public init(
        parentID: ItemID? = nil, below: String? = nil, types: Set<ItemType>? = nil,
        publiclyVisibleAt: Date? = nil, blobSHA256: String? = nil, eventsEndingAfter: Date? = nil,
        threadID: String? = nil, order: Order = .position, limit: Int? = nil, offset: Int = 0
    ) {
        self.threadID = threadID
        self.parentID = parentID
        self.below = below
        self.types = types
        self.publiclyVisibleAt = publiclyVisibleAt
        self.blobSHA256 = blobSHA256
        self.eventsEndingAfter = eventsEndingAfter
        self.order = order
        self.limit = limit
        self.offset = offset
    }
}

/// The platform-wide part of storage: sites, hostnames, users, sessions, and the door to each
/// site's content.
///
/// Implementations: `SQLiteContentStore` (one platform database plus one database per site);
/// a PostgreSQL store will satisfy the same contract. The contract tests in
/// `Tests/PorticoStoreTests` run against every implementation.
public protocol ContentStore: Sendable {
    /// All sites, sorted by id. Does not open any site database.
    func sites() async throws -> [Site]
    func site(_ id: SiteID) async throws -> Site?
    /// The site answering on `hostname` (already normalised). Does not open any site database.
    func site(forHostname hostname: String) async throws -> Site?
    /// Creates the site's storage and its root item atomically: afterwards both exist or neither.
    /// Throws `.alreadyExists` when the id or a hostname is taken.
    func createSite(_ site: Site, root: Item, rootRevision: Revision) async throws
    /// Saves settings, hostnames and status. Throws `.alreadyExists` for a hostname of another site.
    func updateSite(_ site: Site) async throws
    /// Removes the site from the platform; its data is moved aside, not destroyed.
    func deleteSite(_ id: SiteID) async throws
    /// The change feed of site records and files: every create, update, delete and `touchSite`
    /// gets a sequence number. Processes sharing the store poll it to reload what others changed
    /// (the embedded store's answer to PostgreSQL's LISTEN/NOTIFY).
    func latestSiteChange() async throws -> Int64
    func siteChanges(after sequence: Int64) async throws -> (latest: Int64, sites: Set<SiteID>)
    /// Records that a site's files changed (a restore) so that every process reopens them.
    func touchSite(_ id: SiteID) async throws
    /// Drops this process's open handle of the site's database (it reopens on next use).
    func closeSite(_ id: SiteID)
    /// The content of one site. Throws `.notFound` for an unknown site and `.siteUnavailable`
    /// when its database is missing or corrupt.
    func content(of site: SiteID) async throws -> any SiteContentStore

    func users() async throws -> [User]
    func user(_ id: UserID) async throws -> User?
    func user(username: String) async throws -> User?
    /// Throws `.alreadyExists` when the username is taken.
    func createUser(_ user: User) async throws
    func updateUser(_ user: User) async throws
    func userCount() async throws -> Int

    // Sessions (server-side, so any node can serve any user).
    func createSession(_ session: Session) async throws
    func session(id: String) async throws -> Session?
    func extendSession(id: String, until expires: Date) async throws
    func deleteSession(id: String) async throws
    /// "Log out everywhere".
    func deleteSessions(of user: UserID) async throws
    func deleteExpiredSessions(before date: Date) async throws

    // Role grants. A grant on a site's root is a site role; on a folder, a local role.
    /// The grants `user` holds on any of `items` in `site`: one indexed query whatever the
    /// number of grants the user has elsewhere.
    func grants(site: SiteID, user: UserID, on items: [ItemID]) async throws -> [RoleGrant]
    /// Every grant in a site (sharing pages, users of the site, export).
    func grants(site: SiteID) async throws -> [RoleGrant]
    /// Every grant of a user, across sites (the dashboard's "my sites").
    func grants(user: UserID) async throws -> [RoleGrant]
    func addGrant(_ grant: RoleGrant) async throws
    func removeGrant(_ grant: RoleGrant) async throws

    // Feature switches, shared by every process that uses the data folder.
    /// The stored switches; a flag never set is on. Names this version does not know are ignored.
    func featureFlags() async throws -> FeatureFlags
    /// Records `flag` as on or off, with who changed it and when.
    func setFeatureFlag(_ flag: FeatureFlag, enabled: Bool, by: String, at: Date) async throws
}

extension ContentStore {
    /// Records `flag` as changed now.
    public func setFeatureFlag(_ flag: FeatureFlag, enabled: Bool, by: String) async throws {
        try await setFeatureFlag(flag, enabled: enabled, by: by, at: Date())
    }
}

/// The content of one site: its item tree, revisions, redirects and blobs.
///
/// Every write method is atomic: it either fully happens or leaves nothing behind.
/// Whether a store may run short reads (a page's first reads, short lists) on the calling
/// thread instead of handing them to its own queue and back.
///
/// Portico's HTTP server sets it for the connections it runs on their event loops: there such
/// reads (a few index lookups in memory, about a tenth of a millisecond) cost less than
/// the two thread hand-offs around them, and an uncached page is answered about a third
/// faster. Everywhere else (tests, commands, Hummingbird's own server) it stays off, because
/// a read that blocked a thread of Swift's small cooperative pool would stall unrelated tasks.
public enum InlineReads {
    @TaskLocal public static var allowed = false
}

public protocol SiteContentStore: Sendable {
    var siteID: SiteID { get }
    var blobs: any BlobStore { get }

    func root() async throws -> Item
    func item(id: ItemID) async throws -> Item?
    func item(path: String) async throws -> Item?
    /// The items at these paths, in no particular order; missing paths are skipped.
    func items(paths: [String]) async throws -> [Item]
    /// The item at a path with its ancestors, the site navigation and, for a small folder, its
    /// children: what every page view reads first, in one read (one transaction here, one round
    /// trip for a database server) instead of four or five.
    func page(_ read: PageRead) async throws -> PageReads
    func items(matching query: ItemQuery) async throws -> [Item]
    func count(matching query: ItemQuery) async throws -> Int
    /// Paths of folders that are not publicly visible at `date`; everything below them is
    /// hidden from the public too.
    func hiddenFolderPaths(at date: Date) async throws -> [String]
    /// The items with these ids, in no particular order; missing ids are skipped.
    func items(ids: [ItemID]) async throws -> [Item]
    /// The thread of each of these message ids that is stored in the site (id → thread id).
    func messageThreads(_ messageIDs: [String]) async throws -> [String: String]
    /// Searches the catalog. Only entries `search.visibility` allows are counted or returned.
    func search(_ search: CatalogSearch) async throws -> CatalogHits
    /// Empties the catalog and indexes every item again (recovery; writes keep it in step).
    /// Returns the number of entries; `progress` receives (done, total).
    func rebuildCatalog(progress: (@Sendable (Int, Int) -> Void)?) async throws -> Int
    /// The position after the last of `parent`'s children (0 when it has none): one index
    /// lookup, however many children there are.
    func nextPosition(under parent: ItemID) async throws -> Int
    /// The slugs already used by the children of `parent`.
    func childSlugs(of parent: ItemID) async throws -> Set<String>
    /// The item an old path now leads to, if it was renamed or moved.
    func redirect(from path: String) async throws -> ItemID?
    /// All revisions of an item, oldest first.
    func revisions(of item: ItemID) async throws -> [Revision]
    /// The first moment after `date` at which some item's effective or expiry date falls, when
    /// what the public sees changes by itself (scheduled publishing); nil if none is ahead.
    func nextScheduledChange(after date: Date) async throws -> Date?
    /// The schema version recorded in this site's database.
    func schemaVersion() async throws -> Int

    /// Adds a new item with its first revision. Throws `.alreadyExists` when the path is taken
    /// and `.notFound` when the parent is missing.
    func insert(_ item: Item, revision: Revision) async throws
    /// Adds many new items with their first revisions in one transaction (imports): all or
    /// nothing. Parents must exist already or come earlier in the batch.
    func insert(batch: [(item: Item, revision: Revision)]) async throws
    /// Saves a changed item if its stored version is still `expectedVersion` (else `.conflict`).
    /// When the path changed, every descendant's path changes with it and a redirect is kept
    /// from each old path.
    func update(_ item: Item, expectedVersion: Int, revision: Revision) async throws
    /// Removes the item and all its descendants; returns the removed descendants' ids.
    func delete(_ id: ItemID) async throws -> [ItemID]
    /// Sets the order of `parent`'s children to `order` (ids not listed keep their relative
    /// order after the listed ones). Positions are not content, so no revision is stored.
    func reorder(children parent: ItemID, _ order: [ItemID]) async throws
}
