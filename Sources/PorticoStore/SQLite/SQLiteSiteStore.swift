import Foundation
import GRDB
import PorticoCore
import Synchronization

/// One site's content in its own SQLite database (WAL, foreign keys on), blobs beside it.
final class SQLiteSiteStore: SiteContentStore {
    let siteID: SiteID
    let blobs: any BlobStore
    /// A pool (one writer, `readers` readers) or, with `readers == 0`, a single connection:
    /// cheaper to open and fewer files for the many sites that see little traffic.
    let pool: any DatabaseWriter
    /// Reads in flight through `read` (each holds or waits for a reader of the pool).
    private let asyncReads = Atomic<Int>(0)
    /// The pool's readers; 0 for a single connection, which never reads inline.
    private let readers: Int

    /// Opens an existing site database and brings its schema up to date.
    /// Throws `.siteUnavailable` when the file is missing or is not a usable database.
    static func open(siteID: SiteID, folder: URL, readers: Int) throws -> SQLiteSiteStore {
        let file = folder.appendingPathComponent(SQLiteLayout.siteDatabaseName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw PorticoError.siteUnavailable(site: siteID.rawValue, reason: "database file \(file.path) is missing")
        }
        do {
            let pool: any DatabaseWriter = readers == 0 ? try makeQueue(at: file) : try makePool(at: file, readers: readers)
            try Migrations.run(Migrations.site, on: pool)
            return SQLiteSiteStore(siteID: siteID, folder: folder, pool: pool)
        } catch let error as DatabaseError {
            throw PorticoError.siteUnavailable(site: siteID.rawValue, reason: "database \(file.path) cannot be used: \(error.message ?? error.description)")
        }
    }

    /// Creates a new site database with its root item.
    static func create(siteID: SiteID, folder: URL, root: Item, revision: Revision) throws -> SQLiteSiteStore {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(SQLiteLayout.siteDatabaseName)
        let pool = try makePool(at: file, readers: 2)
        try Migrations.run(Migrations.site, on: pool)
        let store = SQLiteSiteStore(siteID: siteID, folder: folder, pool: pool)
        try pool.write { db in
            try db.execute(sql: ItemRows.insertSQL, arguments: ItemRows.insertArguments(root))
            try Self.insertRevision(revision, db)
            try SQLiteCatalog.add(root, db)
        }
        return store
    }

    /// Reads go through a memory map of the database file (up to this size) instead of
    /// `pread` copies into each connection's small page cache: large sites (a million-message
    /// archive) are searched several times faster, small ones are unaffected.
    static let mmapBytes = 4 << 30

    static func makePool(at file: URL, readers: Int) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Readers only: the writer keeps its page cache (bulk imports were measured slower with it).
            if db.configuration.readonly { try db.execute(sql: "PRAGMA mmap_size = \(SQLiteSiteStore.mmapBytes)") }
            try CatalogRank.register(db)
        }
        configuration.foreignKeysEnabled = true
        configuration.maximumReaderCount = max(1, readers)
        configuration.busyMode = .timeout(10)
        configuration.label = file.deletingLastPathComponent().lastPathComponent
        return try DatabasePool(path: file.path, configuration: configuration)
    }

    /// A single connection to an existing site database.
    ///
    /// Site databases are created in WAL mode (`makePool`), which the file itself remembers, so
    /// the connection is in WAL mode without asking for it. Asking (GRDB's `journalMode = .wal`)
    /// would make GRDB write a transaction whenever the WAL file is missing, which it is after
    /// every close: a first hit on a closed site would then cost a write and, at the next close,
    /// a checkpoint with an fsync.
    static func makeQueue(at file: URL) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try CatalogRank.register(db)
        }
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = file.deletingLastPathComponent().lastPathComponent
        let queue = try DatabaseQueue(path: file.path, configuration: configuration)
        try queue.inDatabase { db in
            // A database restored or copied in rollback-journal mode is switched once.
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
        }
        return queue
    }

    private init(siteID: SiteID, folder: URL, pool: any DatabaseWriter) {
        self.siteID = siteID
        self.pool = pool
        self.readers = (pool as? DatabasePool)?.configuration.maximumReaderCount ?? 0
        self.blobs = FileBlobStore(root: folder.appendingPathComponent(SQLiteLayout.blobFolderName))
    }

    // MARK: Reads

    private static let selectSQL = "SELECT \(ItemRows.columns) FROM items"

    func root() async throws -> Item {
        try await read { db in
            guard let root = try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE parent_id IS NULL")) else {
                throw PorticoError.storage("site \(self.siteID) has no root item")
            }
            return root
        }
    }

    func item(id: ItemID) async throws -> Item? {
        try await read { db in
            try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE id = ?"), arguments: [id.rawValue])
        }
    }

    func item(path: String) async throws -> Item? {
        try await read { db in
            try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE path = ?"), arguments: [path])
        }
    }

    func items(paths: [String]) async throws -> [Item] {
        guard !paths.isEmpty else { return [] }
        return try await read { db in try Self.fetchItems(paths: paths, db) }
    }

    static func fetchItems(paths: [String], _ db: Database) throws -> [Item] {
        let marks = Array(repeating: "?", count: paths.count).joined(separator: ",")
        let statement = try db.cachedStatement(sql: Self.selectSQL + " WHERE path IN (\(marks))")
        return try ItemRows.fetchAll(statement, arguments: StatementArguments(paths))
    }

    func items(ids: [ItemID]) async throws -> [Item] {
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            return try ItemRows.fetchAll(db.makeStatement(sql: Self.selectSQL + " WHERE id IN (\(marks))"), arguments: StatementArguments(ids.map(\.rawValue)))
        }
    }

    func messageThreads(_ messageIDs: [String]) async throws -> [String: String] {
        guard !messageIDs.isEmpty else { return [:] }
        return try await read { db in
            var threads: [String: String] = [:]
            let statement = try db.cachedStatement(sql: "SELECT message_thread FROM items WHERE message_id = ?")
            for id in Set(messageIDs) {
                if let thread = try String.fetchOne(statement, arguments: [id]) { threads[id] = thread }
            }
            return threads
        }
    }

    func search(_ search: CatalogSearch) async throws -> CatalogHits {
        try await read { db in try SQLiteCatalog.search(search, db) }
    }

    func rebuildCatalog(progress: (@Sendable (Int, Int) -> Void)?) async throws -> Int {
        try await write { db in
            try SQLiteCatalog.rebuild(db, progress: progress)
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM catalog_meta") ?? 0
        }
    }

    func items(matching query: ItemQuery) async throws -> [Item] {
        // A short list (the home page's news and events, a page of a large folder) is read
        // inline like a page; a list without a limit (a sitemap) may be long, so it is not.
        if let limit = query.limit, limit <= Self.inlineListLimit {
            return try await readShort { db in try Self.fetchItems(query, db) }
        }
        return try await read { db in try Self.fetchItems(query, db) }
    }

    /// The longest list read inline.
    static let inlineListLimit = 200

    static func fetchItems(_ query: ItemQuery, _ db: Database) throws -> [Item] {
        let (whereSQL, arguments) = Self.whereClause(query)
        var sql = Self.selectSQL + whereSQL
        switch query.order {
        case .position: sql += " ORDER BY position, title"
        case .newestFirst: sql += " ORDER BY effective DESC, created DESC"
        case .eventStart: sql += " ORDER BY event_start, title"
        case .path: sql += " ORDER BY path"
        case .messageDate: sql += " ORDER BY message_date, path"
        }
        if let limit = query.limit { sql += " LIMIT \(max(0, limit)) OFFSET \(max(0, query.offset))" }
        return try ItemRows.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    func page(_ request: PageRead) async throws -> PageReads {
        try await readShort { db in try Self.page(request, db) }
    }

    /// Whether a read may run on the calling thread now (see `InlineReads`): only with a pool
    /// of readers (a single connection would make the event loop wait behind writes), and only
    /// while a reader is likely free. Searches, sitemaps and exports can hold readers for long;
    /// an inline read then waits for nothing and goes through the pool's queue instead.
    private var mayReadInline: Bool {
        InlineReads.allowed && asyncReads.load(ordering: .relaxed) < readers
    }

    private static func page(_ request: PageRead, _ db: Database) throws -> PageReads {
        guard let item = try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE path = ?"), arguments: [request.path]) else {
            return PageReads(item: nil, ancestors: nil, navigation: [], children: nil)
        }
        let paths = item.ancestorPaths
        var ancestors: [Item]? = []
        if !paths.isEmpty {
            let found = try Self.fetchItems(paths: paths, db)
            let byPath = Dictionary(found.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            let ordered = paths.compactMap { byPath[$0] }
            ancestors = ordered.count == paths.count ? ordered : nil
        }
        var navigation: [Item] = []
        if let root = item.parentID == nil ? item : ancestors?.first {
            var query = request.navigation
            query.parentID = root.id
            navigation = try Self.fetchItems(query, db)
        }
        var children: [Item]?
        if item.type.isContainer,
           try Self.nextPosition(under: item.id.rawValue, db) <= request.smallFolder {
            var query = request.children
            query.parentID = item.id
            children = try Self.fetchItems(query, db)
        }
        return PageReads(item: item, ancestors: ancestors, navigation: navigation, children: children)
    }

    func count(matching query: ItemQuery) async throws -> Int {
        let (whereSQL, arguments) = Self.whereClause(query)
        let sql = "SELECT COUNT(*) FROM items" + whereSQL
        return try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
        }
    }

    func hiddenFolderPaths(at date: Date) async throws -> [String] {
        let now = date.millisecondsSince1970
        // Folders only, by the type index: short enough to read inline.
        return try await readShort { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT path FROM items WHERE type = 'folder'
                AND NOT (state = 'published' AND effective <= ? AND (expires IS NULL OR expires > ?) AND members_only = 0)
                """), arguments: [now, now])
        }
    }

    func nextPosition(under parent: ItemID) async throws -> Int {
        try await read { db in try Self.nextPosition(under: parent.rawValue, db) }
    }

    static func nextPosition(under parent: String, _ db: Database) throws -> Int {
        (try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM items WHERE parent_id = ?"), arguments: [parent])).map { $0 + 1 } ?? 0
    }

    func childSlugs(of parent: ItemID) async throws -> Set<String> {
        try await read { db in
            Set(try String.fetchAll(db.cachedStatement(sql: "SELECT slug FROM items WHERE parent_id = ?"), arguments: [parent.rawValue]))
        }
    }

    func redirect(from path: String) async throws -> ItemID? {
        try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT item_id FROM redirects WHERE old_path = ?"), arguments: [path]).map(ItemID.init)
        }
    }

    func revisions(of item: ItemID) async throws -> [Revision] {
        try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT snapshot, author, date, comment, version FROM revisions WHERE item_id = ? ORDER BY version"), arguments: [item.rawValue])
            var current: Item?
            return try rows.map { row in
                let stored: String = row[0]
                let snapshot: Item
                if stored == Self.sameAsItem {
                    if current == nil { current = try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE id = ?"), arguments: [item.rawValue]) }
                    guard let current else { throw PorticoError.storage("revision \(row[4] as Int) of item \(item) has no item to stand for") }
                    snapshot = current
                } else {
                    snapshot = try RevisionCoding.decoder.decode(Item.self, from: Data(stored.utf8))
                }
                let author: String? = row[1]
                return Revision(itemID: item, version: row[4], author: author.map(UserID.init), date: Date(millisecondsSince1970: row[2]), comment: row[3], snapshot: snapshot)
            }
        }
    }

    func nextScheduledChange(after date: Date) async throws -> Date? {
        let now = date.millisecondsSince1970
        return try await read { db in
            let effective = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(effective) FROM items WHERE effective > ?"), arguments: [now])
            let expires = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(expires) FROM items WHERE expires > ?"), arguments: [now])
            return [effective, expires].compactMap { $0 }.min().map(Date.init(millisecondsSince1970:))
        }
    }

    func schemaVersion() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    // MARK: Writes

    func insert(_ item: Item, revision: Revision) async throws {
        try await write { db in
            if let parent = item.parentID {
                let parentType = try String.fetchOne(db, sql: "SELECT type FROM items WHERE id = ?", arguments: [parent.rawValue])
                guard let parentType else { throw PorticoError.notFound("parent item") }
                guard ItemType(rawValue: parentType)?.isContainer == true else {
                    throw PorticoError.invalid(field: "parent", reason: "cannot contain other items")
                }
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM items WHERE path = ? OR id = ?", arguments: [item.path, item.id.rawValue]) == true {
                throw PorticoError.alreadyExists("an item at \(item.path)")
            }
            try db.execute(sql: ItemRows.insertSQL, arguments: ItemRows.insertArguments(item))
            try db.execute(sql: "DELETE FROM redirects WHERE old_path = ?", arguments: [item.path])
            try Self.insertRevision(revision, snapshot: revision.snapshot == item ? Self.sameAsItem : nil, db)
            try SQLiteCatalog.add(item, db)
        }
    }

    func insert(batch: [(item: Item, revision: Revision)]) async throws {
        guard !batch.isEmpty else { return }
        // Encoded before the write transaction, so the writer only writes.
        let encoder = RevisionCoding.encoder
        let snapshots = try batch.map { entry in
            entry.revision.snapshot == entry.item ? Self.sameAsItem : String(decoding: try encoder.encode(entry.revision.snapshot), as: UTF8.self)
        }
        let documents = batch.map { SearchDocument($0.item) }
        try await write { db in
            // Bulk imports touch many index pages at random (ids, paths, message ids): a large
            // page cache on the writer connection keeps them in memory (SQLite allocates it
            // lazily, and the connection closes with its site).
            try db.execute(sql: "PRAGMA cache_size = -\(Self.bulkCacheKiB)")
            var containers: [String: Bool] = [:]
            let insertItem = try db.cachedStatement(sql: ItemRows.insertSQL)
            for (index, (item, revision)) in batch.enumerated() {
                if let parent = item.parentID?.rawValue {
                    if containers[parent] == nil {
                        let type = try String.fetchOne(db.cachedStatement(sql: "SELECT type FROM items WHERE id = ?"), arguments: [parent])
                        guard let type else { throw PorticoError.notFound("parent item") }
                        containers[parent] = ItemType(rawValue: type)?.isContainer == true
                    }
                    guard containers[parent] == true else { throw PorticoError.invalid(field: "parent", reason: "cannot contain other items") }
                }
                if item.type.isContainer { containers[item.id.rawValue] = true }
                try insertItem.execute(arguments: ItemRows.insertArguments(item))
                try db.cachedStatement(sql: "DELETE FROM redirects WHERE old_path = ?").execute(arguments: [item.path])
                try Self.insertRevision(revision, snapshot: snapshots[index], db)
            }
            // Catalog entries oldest first, whatever order the items came in (an import groups
            // them by folder): entries are numbered in the order added, and the ranking window
            // walks the latest first (see SQLiteCatalog).
            var scopes = SQLiteCatalog.Scopes()
            for index in documents.indices.sorted(by: { (documents[$0].date, $0) < (documents[$1].date, $1) }) {
                let item = batch[index].item
                try SQLiteCatalog.add(item, document: documents[index], scope: scopes.below(item.parentID?.rawValue, db), db)
            }
        }
    }

    func update(_ item: Item, expectedVersion: Int, revision: Revision) async throws {
        let now = revision.date.millisecondsSince1970
        try await write { db in
            guard let current = try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE id = ?"), arguments: [item.id.rawValue]) else {
                throw PorticoError.notFound("item")
            }
            guard current.version == expectedVersion else {
                throw PorticoError.conflict("the item was changed by someone else (version \(current.version), you started from \(expectedVersion))")
            }
            try Self.materializeRevisions(of: current, db)
            if current.path != item.path {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM items WHERE path = ?", arguments: [item.path]) == true {
                    throw PorticoError.alreadyExists("an item at \(item.path)")
                }
                let oldPrefix = current.path + "/"
                let descendants = try Row.fetchAll(db, sql: "SELECT id, path FROM items WHERE substr(path, 1, ?) = ?", arguments: [oldPrefix.utf8.count, oldPrefix])
                // Keep every old path working, then move the subtree.
                var moves: [(id: String, old: String, new: String)] = [(item.id.rawValue, current.path, item.path)]
                for descendant in descendants {
                    let oldPath: String = descendant[1]
                    moves.append((descendant[0], oldPath, item.path + oldPath.dropFirst(current.path.count)))
                }
                for move in moves {
                    try db.execute(sql: "INSERT OR REPLACE INTO redirects (old_path, item_id, created) VALUES (?, ?, ?)", arguments: [move.old, move.id, now])
                    try db.execute(sql: "DELETE FROM redirects WHERE old_path = ?", arguments: [move.new])
                }
                // Two steps so that the UNIQUE(path) index never sees a temporary clash.
                try Self.materializeRevisions(ofItems: moves.dropFirst().map(\.id), db)
                for move in moves.dropFirst() {
                    try db.execute(sql: "UPDATE items SET path = ? WHERE id = ?", arguments: ["\u{1}" + move.new, move.id])
                    try SQLiteCatalog.move(itemID: move.id, to: move.new, db)
                }
                try db.execute(sql: "UPDATE items SET path = substr(path, 2) WHERE substr(path, 1, 1) = char(1)")
            }
            if item.parentID != current.parentID, let parent = item.parentID {
                guard try String.fetchOne(db, sql: "SELECT type FROM items WHERE id = ?", arguments: [parent.rawValue]).flatMap(ItemType.init(rawValue:))?.isContainer == true else {
                    throw PorticoError.invalid(field: "parent", reason: "cannot contain other items")
                }
            }
            try db.execute(sql: ItemRows.updateSQL, arguments: ItemRows.updateArguments(item))
            try Self.insertRevision(revision, db)
            try SQLiteCatalog.replace(current, with: item, db)
            if item.parentID != current.parentID {
                // Moved to another folder: the scopes of everything below it change.
                try SQLiteCatalog.rescope(below: item.path + "/", db)
            }
        }
    }

    func delete(_ id: ItemID) async throws -> [ItemID] {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT path, parent_id FROM items WHERE id = ?", arguments: [id.rawValue]) else {
                throw PorticoError.notFound("item")
            }
            let parent: String? = row[1]
            guard parent != nil else { throw PorticoError.invalid(field: "item", reason: "is the site root and cannot be deleted") }
            let prefix = (row[0] as String) + "/"
            let descendants = try ItemRows.fetchAll(db.cachedStatement(sql: Self.selectSQL + " WHERE substr(path, 1, ?) = ?"), arguments: [prefix.utf8.count, prefix])
            if let item = try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE id = ?"), arguments: [id.rawValue]) {
                try SQLiteCatalog.remove(item, db)
                try Self.materializeRevisions(of: item, db)
            }
            for descendant in descendants {
                try SQLiteCatalog.remove(descendant, db)
                try Self.materializeRevisions(of: descendant, db)
            }
            try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [id.rawValue])
            return descendants.map(\.id)
        }
    }

    func reorder(children parent: ItemID, _ order: [ItemID]) async throws {
        try await write { db in
            let current = try String.fetchAll(db, sql: "SELECT id FROM items WHERE parent_id = ? ORDER BY position, title", arguments: [parent.rawValue])
            let listed = order.map(\.rawValue).filter(current.contains)
            let rest = current.filter { !listed.contains($0) }
            try Self.materializeRevisions(ofItems: current, db)
            for (position, id) in (listed + rest).enumerated() {
                try db.execute(sql: "UPDATE items SET position = ? WHERE id = ?", arguments: [position, id])
            }
        }
    }

    // MARK: Helpers

    /// The writer's page cache during bulk inserts, in KiB.
    static let bulkCacheKiB = 262_144

    /// The stored snapshot of a revision that is exactly the item as inserted: the item row
    /// stands for it until the row first changes. A bulk import then writes each message once
    /// instead of twice (a quarter less time, a third less disk). Every statement that changes
    /// an item row first writes such snapshots out (`materializeRevisions`).
    static let sameAsItem = ""

    /// Writes out the snapshots that `item`'s row stands for, before the row changes.
    static func materializeRevisions(of item: Item, _ db: Database) throws {
        guard try hasRevisionsStoodFor(item.id.rawValue, db) else { return }
        try writeRevisionsStoodFor(item, db)
    }

    /// `materializeRevisions(of:)` for items by id (those without such snapshots cost one lookup).
    static func materializeRevisions(ofItems ids: [String], _ db: Database) throws {
        for id in ids where try hasRevisionsStoodFor(id, db) {
            guard let item = try ItemRows.fetchOne(db.cachedStatement(sql: Self.selectSQL + " WHERE id = ?"), arguments: [id]) else { continue }
            try writeRevisionsStoodFor(item, db)
        }
    }

    private static func hasRevisionsStoodFor(_ id: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM revisions WHERE item_id = ? AND snapshot = ? LIMIT 1"), arguments: [id, sameAsItem]) == true
    }

    private static func writeRevisionsStoodFor(_ item: Item, _ db: Database) throws {
        let snapshot = String(decoding: try RevisionCoding.encoder.encode(item), as: UTF8.self)
        try db.cachedStatement(sql: "UPDATE revisions SET snapshot = ? WHERE item_id = ? AND snapshot = ?").execute(arguments: [snapshot, item.id.rawValue, sameAsItem])
    }

    static func insertRevision(_ revision: Revision, snapshot: String? = nil, _ db: Database) throws {
        let snapshot = try snapshot ?? String(decoding: try RevisionCoding.encoder.encode(revision.snapshot), as: UTF8.self)
        try db.cachedStatement(sql: "INSERT INTO revisions (item_id, version, author, date, comment, snapshot) VALUES (?, ?, ?, ?, ?, ?)").execute(
            arguments: [revision.itemID.rawValue, revision.version, revision.author?.rawValue, revision.date.millisecondsSince1970, revision.comment, snapshot]
        )
    }

    private static func whereClause(_ query: ItemQuery) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let parent = query.parentID {
            conditions.append("parent_id = ?")
            arguments += [parent.rawValue]
        }
        if let below = query.below {
            let prefix = below == "/" ? "/" : below + "/"
            conditions.append("substr(path, 1, ?) = ? AND path <> ?")
            arguments += [prefix.utf8.count, prefix, below]
        }
        if let types = query.types {
            let sorted = types.map(\.rawValue).sorted()
            conditions.append("type IN (" + Array(repeating: "?", count: sorted.count).joined(separator: ",") + ")")
            arguments += StatementArguments(sorted)
        }
        if let date = query.publiclyVisibleAt {
            let now = date.millisecondsSince1970
            conditions.append("state = 'published' AND effective <= ? AND (expires IS NULL OR expires > ?) AND members_only = 0")
            arguments += [now, now]
        }
        if let sha = query.blobSHA256 {
            conditions.append("blob_sha256 = ?")
            arguments += [sha]
        }
        if let thread = query.threadID {
            conditions.append("message_thread = ?")
            arguments += [thread]
        }
        if let date = query.eventsEndingAfter {
            conditions.append("event_end > ?")
            arguments += [date.millisecondsSince1970]
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    /// Every read of the site's pool that may await goes through here (so that inline reads
    /// know how many readers are taken).
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        asyncReads.add(1, ordering: .relaxed)
        defer { asyncReads.subtract(1, ordering: .relaxed) }
        do {
            if InlineReads.allowed {
                // GRDB gives a pool's reader back only once the reading task has resumed. A task
                // on an event loop would then hold a reader until its loop is free, while that
                // loop may be waiting for a reader in an inline read: a deadlock. So such a task
                // reads from the global executor and comes back with its reader returned.
                return try await withTaskExecutorPreference(globalConcurrentExecutor) { try await pool.read(work) }
            }
            return try await pool.read(work)
        } catch let error as DatabaseError {
            throw SQLiteErrors.map(error, site: siteID)
        }
    }

    /// A short read (a few index lookups): inline when `mayReadInline`, else like `read`.
    private func readShort<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard mayReadInline else { return try await read(work) }
        return try readInline(work)
    }

    /// GRDB's synchronous read, on the calling thread.
    private func readInline<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(work)
        } catch let error as DatabaseError {
            throw SQLiteErrors.map(error, site: siteID)
        }
    }

    private func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(work)
        } catch let error as DatabaseError {
            throw SQLiteErrors.map(error, site: siteID)
        }
    }
}

/// JSON coding of revision snapshots, with millisecond dates.
enum RevisionCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}

/// Turns SQLite errors into `PorticoError`s that say what happened.
enum SQLiteErrors {
    static func map(_ error: DatabaseError, site: SiteID?) -> PorticoError {
        switch error.resultCode {
        case .SQLITE_CONSTRAINT:
            return .alreadyExists("a record with the same key (\(error.message ?? "constraint"))")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_CANTOPEN, .SQLITE_IOERR:
            if let site { return .siteUnavailable(site: site.rawValue, reason: error.message ?? error.description) }
            return .storage(error.message ?? error.description)
        case .SQLITE_FULL:
            return .storage("disk full")
        default:
            return .storage(error.message ?? error.description)
        }
    }
}

/// File names inside the data folder.
enum SQLiteLayout {
    static let platformDatabaseName = "platform.sqlite"
    static let sitesFolderName = "sites"
    static let trashFolderName = "trash"
    static let siteDatabaseName = "content.sqlite"
    static let blobFolderName = "blobs"
}
