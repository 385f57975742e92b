public import Foundation
import GRDB
public import Logging
public import PorticoCore
import Synchronization

/// The embedded store: one platform database and one database per site, in a data folder.
///
/// ```
/// <data>/platform.sqlite            sites, hostnames, users, sessions
/// <data>/sites/<id>/content.sqlite  items, revisions, redirects
/// <data>/sites/<id>/blobs/ab/ab…    blobs by SHA-256
/// <data>/trash/<id>-<time>/         deleted sites, kept until purged
/// ```
/// Site databases are opened on first use and kept in a bounded LRU (`maximumOpenSites`), so
/// the number of open files stays bounded however many sites exist.
public final class SQLiteContentStore: ContentStore {
    public let dataFolder: URL
    let platform: DatabasePool
    let openSites: OpenSiteCache
    let logger: Logger

    /// Opens (creating if needed) the data folder and the platform database, and migrates it.
    /// Throws `.storage` with a clear reason when the folder cannot be created or written.
    public init(dataFolder: URL, maximumOpenSites: Int = 64, readersPerSite: Int = 2, logger: Logger = Logger(label: "portico.store")) throws {
        self.dataFolder = dataFolder
        self.logger = logger
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dataFolder.appendingPathComponent(SQLiteLayout.sitesFolderName), withIntermediateDirectories: true)
        } catch {
            throw PorticoError.storage("cannot create data folder \(dataFolder.path): \(Self.reason(error))")
        }
        guard fm.isWritableFile(atPath: dataFolder.path) else {
            throw PorticoError.storage("data folder \(dataFolder.path) is not writable")
        }
        do {
            platform = try SQLiteSiteStore.makePool(at: dataFolder.appendingPathComponent(SQLiteLayout.platformDatabaseName), readers: 4)
            try Migrations.run(Migrations.platform, on: platform)
        } catch let error as DatabaseError {
            throw PorticoError.storage("platform database in \(dataFolder.path) cannot be used: \(error.message ?? error.description)")
        }
        openSites = OpenSiteCache(capacity: maximumOpenSites, readersPerSite: readersPerSite, logger: logger)
    }

    /// The schema version this code expects in every site database.
    public static var siteSchemaVersion: Int { Migrations.siteSchemaVersion }

    func siteFolder(_ id: SiteID) -> URL {
        dataFolder.appendingPathComponent(SQLiteLayout.sitesFolderName).appendingPathComponent(id.rawValue)
    }

    // MARK: Sites

    private static let siteColumns = "id, name, tagline, accent_color, footer_text, logo_sha256, logo_mime, logo_size, logo_filename, status, created"

    public func sites() async throws -> [Site] {
        try await platformRead { db in
            let hostRows = try Row.fetchAll(db, sql: "SELECT site_id, hostname FROM hostnames ORDER BY site_id, position")
            var hostnames: [String: [String]] = [:]
            for row in hostRows { hostnames[row[0], default: []].append(row[1]) }
            return try Row.fetchAll(db, sql: "SELECT \(Self.siteColumns) FROM sites ORDER BY id").map { try Self.site($0, hostnames: hostnames[$0[0]] ?? []) }
        }
    }

    public func site(_ id: SiteID) async throws -> Site? {
        try await platformRead { db in try Self.fetchSite(db, id: id.rawValue) }
    }

    public func site(forHostname hostname: String) async throws -> Site? {
        try await platformRead { db in
            guard let id = try String.fetchOne(db, sql: "SELECT site_id FROM hostnames WHERE hostname = ?", arguments: [hostname]) else { return nil }
            return try Self.fetchSite(db, id: id)
        }
    }

    public func createSite(_ site: Site, root: Item, rootRevision: Revision) async throws {
        let taken = try await platformRead { db -> String? in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE id = ?", arguments: [site.id.rawValue]) == true {
                return "site \(site.id)"
            }
            for host in site.hostnames where try Bool.fetchOne(db, sql: "SELECT 1 FROM hostnames WHERE hostname = ?", arguments: [host]) == true {
                return "hostname \(host)"
            }
            return nil
        }
        if let taken { throw PorticoError.alreadyExists(taken) }

        let folder = siteFolder(site.id)
        if FileManager.default.fileExists(atPath: folder.path) {
            // A leftover from an interrupted creation: keep it aside rather than reuse it.
            try moveToTrash(folder, id: site.id)
        }
        do {
            _ = try SQLiteSiteStore.create(siteID: site.id, folder: folder, root: root, revision: rootRevision)
            try await platformWrite { db in
                try Self.insertSite(site, db)
                try Self.recordChange(site.id, db)
            }
        } catch {
            try? FileManager.default.removeItem(at: folder)
            if let error = error as? PorticoError { throw error }
            throw PorticoError.storage("cannot create site \(site.id): \(Self.reason(error))")
        }
    }

    public func updateSite(_ site: Site) async throws {
        try await platformWrite { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE id = ?", arguments: [site.id.rawValue]) == true else {
                throw PorticoError.notFound("site \(site.id)")
            }
            for host in site.hostnames {
                if let owner = try String.fetchOne(db, sql: "SELECT site_id FROM hostnames WHERE hostname = ?", arguments: [host]), owner != site.id.rawValue {
                    throw PorticoError.alreadyExists("hostname \(host)")
                }
            }
            // An UPDATE, never delete-and-insert: the site's grants cascade from its row.
            let settings = site.settings
            try db.execute(sql: """
                UPDATE sites SET name = ?, tagline = ?, accent_color = ?, footer_text = ?, logo_sha256 = ?, logo_mime = ?,
                    logo_size = ?, logo_filename = ?, status = ? WHERE id = ?
                """, arguments: [
                    settings.name, settings.tagline, settings.accentColor, settings.footerText, settings.logo?.sha256, settings.logo?.mimeType,
                    settings.logo?.size, settings.logo?.filename, site.status.rawValue, site.id.rawValue,
                ])
            try db.execute(sql: "DELETE FROM hostnames WHERE site_id = ?", arguments: [site.id.rawValue])
            for (index, host) in site.hostnames.enumerated() {
                try db.execute(sql: "INSERT INTO hostnames (hostname, site_id, position) VALUES (?, ?, ?)", arguments: [host, site.id.rawValue, index])
            }
            try Self.recordChange(site.id, db)
        }
    }

    public func deleteSite(_ id: SiteID) async throws {
        try await platformWrite { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE id = ?", arguments: [id.rawValue]) == true else {
                throw PorticoError.notFound("site \(id)")
            }
            try db.execute(sql: "DELETE FROM sites WHERE id = ?", arguments: [id.rawValue])
            try Self.recordChange(id, db)
        }
        openSites.close(id)
        let folder = siteFolder(id)
        if FileManager.default.fileExists(atPath: folder.path) {
            try moveToTrash(folder, id: id)
        }
    }

    public func content(of site: SiteID) async throws -> any SiteContentStore {
        if let open = try openSites.cached(site) { return open }
        guard try await self.site(site) != nil else { throw PorticoError.notFound("site \(site)") }
        return try openSites.open(site, folder: siteFolder(site))
    }

    /// How many site databases are open now, and the most that may be.
    public var openSiteUsage: (open: Int, capacity: Int) { openSites.usage }

    /// The most site databases one process holds open with `storage.max_open_sites` set to
    /// `maximumOpenSites`: the open ones and the evicted ones still waiting to be closed.
    public static func sitesHeldOpen(maximumOpenSites: Int) -> Int {
        maximumOpenSites + OpenSiteCache.closingAllowance(capacity: maximumOpenSites)
    }

    // MARK: Users

    private static let userColumns = "id, username, display_name, email, password_hash, is_admin, created"

    public func users() async throws -> [User] {
        try await platformRead { db in try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM users ORDER BY username").map(Self.user) }
    }

    public func user(_ id: UserID) async throws -> User? {
        try await platformRead { db in try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE id = ?", arguments: [id.rawValue]).map(Self.user) }
    }

    public func user(username: String) async throws -> User? {
        try await platformRead { db in try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users WHERE username = ?", arguments: [username]).map(Self.user) }
    }

    public func createUser(_ user: User) async throws {
        try await platformWrite { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ? OR id = ?", arguments: [user.username, user.id.rawValue]) == true {
                throw PorticoError.alreadyExists("user \(user.username)")
            }
            try db.execute(sql: "INSERT INTO users (\(Self.userColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)", arguments: [
                user.id.rawValue, user.username, user.displayName, user.email, user.passwordHash, user.isPlatformAdmin, user.created.millisecondsSince1970,
            ])
        }
    }

    public func updateUser(_ user: User) async throws {
        try await platformWrite { db in
            try db.execute(sql: "UPDATE users SET username = ?, display_name = ?, email = ?, password_hash = ?, is_admin = ? WHERE id = ?", arguments: [
                user.username, user.displayName, user.email, user.passwordHash, user.isPlatformAdmin, user.id.rawValue,
            ])
            if db.changesCount == 0 { throw PorticoError.notFound("user \(user.username)") }
        }
    }

    public func userCount() async throws -> Int {
        try await platformRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    // MARK: Sessions

    public func createSession(_ session: Session) async throws {
        try await platformWrite { db in
            try db.execute(sql: "INSERT INTO sessions (id, user_id, created, expires, csrf) VALUES (?, ?, ?, ?, ?)", arguments: [
                session.id, session.userID.rawValue, session.created.millisecondsSince1970, session.expires.millisecondsSince1970, session.csrfToken,
            ])
        }
    }

    public func session(id: String) async throws -> Session? {
        try await platformRead { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, user_id, created, expires, csrf FROM sessions WHERE id = ?"), arguments: [id]).map { row in
                Session(id: row[0], userID: UserID(row[1]), created: Date(millisecondsSince1970: row[2]), expires: Date(millisecondsSince1970: row[3]), csrfToken: row[4])
            }
        }
    }

    public func extendSession(id: String, until expires: Date) async throws {
        try await platformWrite { db in
            try db.execute(sql: "UPDATE sessions SET expires = ? WHERE id = ?", arguments: [expires.millisecondsSince1970, id])
        }
    }

    public func deleteSession(id: String) async throws {
        try await platformWrite { db in try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id]) }
    }

    public func deleteSessions(of user: UserID) async throws {
        try await platformWrite { db in try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [user.rawValue]) }
    }

    public func deleteExpiredSessions(before date: Date) async throws {
        try await platformWrite { db in try db.execute(sql: "DELETE FROM sessions WHERE expires < ?", arguments: [date.millisecondsSince1970]) }
    }

    // MARK: Grants

    public func grants(site: SiteID, user: UserID, on items: [ItemID]) async throws -> [RoleGrant] {
        guard !items.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: items.count).joined(separator: ",")
        let sql = "SELECT site_id, user_id, item_id, role FROM grants WHERE site_id = ? AND user_id = ? AND item_id IN (\(marks))"
        let arguments = StatementArguments([site.rawValue, user.rawValue] + items.map(\.rawValue))
        return try await platformRead { db in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).compactMap(Self.grant) }
    }

    public func grants(site: SiteID) async throws -> [RoleGrant] {
        try await platformRead { db in
            try Row.fetchAll(db, sql: "SELECT site_id, user_id, item_id, role FROM grants WHERE site_id = ? ORDER BY item_id, user_id, role", arguments: [site.rawValue]).compactMap(Self.grant)
        }
    }

    public func grants(user: UserID) async throws -> [RoleGrant] {
        try await platformRead { db in
            try Row.fetchAll(db, sql: "SELECT site_id, user_id, item_id, role FROM grants WHERE user_id = ? ORDER BY site_id", arguments: [user.rawValue]).compactMap(Self.grant)
        }
    }

    public func addGrant(_ grant: RoleGrant) async throws {
        try await platformWrite { db in
            try db.execute(sql: "INSERT OR IGNORE INTO grants (site_id, user_id, item_id, role) VALUES (?, ?, ?, ?)", arguments: [
                grant.site.rawValue, grant.user.rawValue, grant.item.rawValue, grant.role.rawValue,
            ])
        }
    }

    public func removeGrant(_ grant: RoleGrant) async throws {
        try await platformWrite { db in
            try db.execute(sql: "DELETE FROM grants WHERE site_id = ? AND user_id = ? AND item_id = ? AND role = ?", arguments: [
                grant.site.rawValue, grant.user.rawValue, grant.item.rawValue, grant.role.rawValue,
            ])
        }
    }

    /// SQLite's query plan for the role lookup with `ancestors` ids (for tests and `portico check`).
    public func explainGrantLookup(ancestors: Int) throws -> String {
        let marks = Array(repeating: "?", count: max(1, ancestors)).joined(separator: ",")
        return try platform.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT site_id, user_id, item_id, role FROM grants WHERE site_id = 'a' AND user_id = 'b' AND item_id IN (\(marks))",
                             arguments: StatementArguments(Array(repeating: "x", count: max(1, ancestors))))
                .map { $0["detail"] as String? ?? "" }.joined(separator: "\n")
        }
    }

    private static func grant(_ row: Row) -> RoleGrant? {
        guard let site = try? SiteID(row[0] as String), let role = Role(rawValue: row[3]) else { return nil }
        return RoleGrant(site: site, user: UserID(row[1]), item: ItemID(row[2]), role: role)
    }

    // MARK: Helpers

    private static func fetchSite(_ db: Database, id: String) throws -> Site? {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(siteColumns) FROM sites WHERE id = ?", arguments: [id]) else { return nil }
        let hostnames = try String.fetchAll(db, sql: "SELECT hostname FROM hostnames WHERE site_id = ? ORDER BY position", arguments: [id])
        return try site(row, hostnames: hostnames)
    }

    private static func site(_ row: Row, hostnames: [String]) throws -> Site {
        var logo: BlobReference?
        if let sha: String = row[5] {
            logo = BlobReference(sha256: sha, mimeType: row[6] ?? "image/png", size: row[7] ?? 0, filename: row[8] ?? "logo")
        }
        let settings = SiteSettings(name: row[1], tagline: row[2], accentColor: row[3], footerText: row[4], logo: logo)
        return Site(
            id: try SiteID(row[0]), hostnames: hostnames, settings: settings,
            status: SiteStatus(rawValue: row[9]) ?? .active, created: Date(millisecondsSince1970: row[10])
        )
    }

    static func insertSite(_ site: Site, _ db: Database) throws {
        let s = site.settings
        try db.execute(sql: "INSERT INTO sites (\(siteColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
            site.id.rawValue, s.name, s.tagline, s.accentColor, s.footerText, s.logo?.sha256, s.logo?.mimeType, s.logo?.size,
            s.logo?.filename, site.status.rawValue, site.created.millisecondsSince1970,
        ])
        for (index, host) in site.hostnames.enumerated() {
            try db.execute(sql: "INSERT INTO hostnames (hostname, site_id, position) VALUES (?, ?, ?)", arguments: [host, site.id.rawValue, index])
        }
    }

    private static func user(_ row: Row) -> User {
        User(id: UserID(row[0]), username: row[1], displayName: row[2], email: row[3], passwordHash: row[4], isPlatformAdmin: row[5], created: Date(millisecondsSince1970: row[6]))
    }

    func moveToTrash(_ folder: URL, id: SiteID) throws {
        let trash = dataFolder.appendingPathComponent(SQLiteLayout.trashFolderName)
        let stamp = Int(Date().timeIntervalSince1970)
        do {
            try FileManager.default.createDirectory(at: trash, withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: folder, to: trash.appendingPathComponent("\(id.rawValue)-\(stamp)-\(UUID().uuidString.prefix(8))"))
        } catch {
            throw PorticoError.storage("cannot move \(folder.path) to the trash: \(Self.reason(error))")
        }
    }

    func platformRead<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await platform.read(work) } catch let error as DatabaseError { throw SQLiteErrors.map(error, site: nil) }
    }

    func platformWrite<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await platform.write(work) } catch let error as DatabaseError { throw SQLiteErrors.map(error, site: nil) }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? PorticoError { return error.description }
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return (error as NSError).localizedDescription
    }
}

/// The open site databases: a bounded LRU, plus a short memory of sites that failed to open
/// so that a broken site is logged once, not on every request, and retried after a pause.
final class OpenSiteCache: Sendable {
    private struct State {
        var open: [SiteID: (store: SQLiteSiteStore, lastUse: UInt64)] = [:]
        var failed: [SiteID: (error: PorticoError, at: Date)] = [:]
        var clock: UInt64 = 0
        /// Evicted stores handed to the background close and not closed yet, by site.
        var closing: [SiteID: Int] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int
    let readersPerSite: Int
    let logger: Logger
    static let retryFailedAfter: TimeInterval = 2

    init(capacity: Int, readersPerSite: Int, logger: Logger) {
        self.capacity = max(1, capacity)
        self.readersPerSite = readersPerSite
        self.logger = logger
    }

    var usage: (open: Int, capacity: Int) { state.withLock { ($0.open.count, capacity) } }

    /// The open store for `id`, or nil if it must be opened. Rethrows a recent failure.
    func cached(_ id: SiteID) throws -> SQLiteSiteStore? {
        try state.withLock { state in
            if var entry = state.open[id] {
                state.clock += 1
                entry.lastUse = state.clock
                state.open[id] = entry
                return entry.store
            }
            if let failure = state.failed[id], Date().timeIntervalSince(failure.at) < Self.retryFailedAfter {
                throw failure.error
            }
            return nil
        }
    }

    func open(_ id: SiteID, folder: URL) throws -> SQLiteSiteStore {
        let store: SQLiteSiteStore
        do {
            store = try SQLiteSiteStore.open(siteID: id, folder: folder, readers: readersPerSite)
        } catch {
            let portico = (error as? PorticoError) ?? .siteUnavailable(site: id.rawValue, reason: SQLiteContentStore.reason(error))
            let firstTime = state.withLock { state -> Bool in
                let first = state.failed[id] == nil
                state.failed[id] = (portico, Date())
                return first
            }
            if firstTime { logger.error("site unavailable", metadata: ["site": "\(id)", "reason": "\(portico)"]) }
            throw portico
        }
        let result: SQLiteSiteStore
        var evicted: [SQLiteSiteStore]
        (result, evicted) = state.withLock { state -> (SQLiteSiteStore, [SQLiteSiteStore]) in
            state.failed[id] = nil
            state.clock += 1
            if let existing = state.open[id] { return (existing.store, [store]) }
            state.open[id] = (store, state.clock)
            var evicted: [SQLiteSiteStore] = []
            while state.open.count > capacity, let oldest = state.open.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                evicted.append(oldest.value.store)
                state.open[oldest.key] = nil
            }
            return (store, evicted)
        }
        closeLater(&evicted)
        return result
    }

    /// Forgets `id` and closes its database now (unless a request is still using it): the
    /// caller is about to move or replace the site's files.
    func close(_ id: SiteID) {
        let (closed, pending) = state.withLock { state in
            state.failed[id] = nil
            return (state.open.removeValue(forKey: id)?.store, state.closing[id] != nil)
        }
        withExtendedLifetime(closed) {}
        // An eviction of this site may still be waiting to close: its connections would
        // checkpoint into, and remove the WAL of, whatever is at the path by then.
        if pending { Self.closing.sync {} }
    }

    /// Closing an evicted database (its last connection checkpoints the WAL and removes it) is
    /// left to a background queue: the request that opened another site, and every lookup
    /// waiting on this cache's lock, must not pay for it. At most `closingAllowance` stores
    /// wait to be closed, so open files stay bounded (`capacity + closingAllowance` sites);
    /// past that the evicting request closes them itself. The stores are taken out of `stores`,
    /// so that the background close holds the last reference.
    private func closeLater(_ stores: inout [SQLiteSiteStore]) {
        let count = stores.count
        guard count > 0 else { return }
        let sites = stores.map(\.siteID)
        let queued = state.withLock { state in
            guard state.closing.values.reduce(count, +) <= closingAllowance else { return false }
            for site in sites { state.closing[site, default: 0] += 1 }
            return true
        }
        guard queued else { return stores.removeAll() }
        let pending = ClosingStores(stores)
        stores.removeAll()
        Self.closing.async { [self] in
            pending.release()
            state.withLock { state in
                for site in sites {
                    state.closing[site, default: 1] -= 1
                    if state.closing[site] == 0 { state.closing[site] = nil }
                }
            }
        }
    }

    /// Stores handed to the closing queue, which releases them there.
    private final class ClosingStores: Sendable {
        private let stores: Mutex<[SQLiteSiteStore]>
        init(_ stores: [SQLiteSiteStore]) { self.stores = Mutex(stores) }
        func release() { stores.withLock { $0.removeAll() } }
    }

    /// How many evicted sites may wait for the background close.
    var closingAllowance: Int { Self.closingAllowance(capacity: capacity) }

    static func closingAllowance(capacity: Int) -> Int { max(1, capacity / 8) }

    private static let closing = DispatchQueue(label: "portico.store.closing", qos: .utility)
}
