import Foundation
import GRDB
import PorticoCore

/// The search catalog inside a site's SQLite database, kept in step with `items` by the same
/// write transactions.
///
/// Two tables:
/// - `catalog`, a contentless FTS5 table (title, description, body, tags, author) with the
///   `unicode61 remove_diacritics 2` tokenizer: case- and accent-insensitive, no prefix indexes
///   (they cost more than half the insert rate; prefix queries scan the term range instead).
///   Contentless keeps the catalog about a third of the size; snippets are cut from the items.
///   An entry is removed by deriving the same `SearchDocument` from the item as it was stored.
/// - `catalog_meta`, one small row per entry (type, state, path, dates, creator, tags), so that
///   visibility and filters are checked without reading the large `items` rows.
///
/// Entry numbers (`doc`, the FTS rowid) are given in the order entries are added (an edit
/// adds the entry again), so the full-text index walks its rows most recently added first for
/// free, which is what the ranking window needs (see docs/search.md). A bulk insert adds its
/// entries oldest first, and a mail import its archive oldest batch first, so there this order
/// is the messages' date order. Small, ascending numbers also keep the index compact:
/// date-based numbers (microseconds) made every posting several bytes longer, and bulk
/// inserts 40 % slower.
///
/// FTS5's `hashsize` (the pending changes held in memory before they are written as a new
/// index segment) is raised from 1 MB to 16 MB: a bulk transaction then writes one segment
/// instead of a dozen small ones to be merged later, which nearly doubled the insert rate.
enum SQLiteCatalog {
    static let weights = "10.0, 4.0, 1.0, 5.0, 2.0"

    /// FTS5's pending-data limit for the catalog, in bytes (see above). Set by `createTables`
    /// and by the migration that introduced it.
    static let hashSize = 16 << 20

    static func configure(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO catalog (catalog, rank) VALUES ('hashsize', \(hashSize))")
    }

    static func createTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE catalog USING fts5(
                title, description, body, tags, author,
                content = '', tokenize = 'unicode61 remove_diacritics 2'
            );
            CREATE TABLE catalog_meta (
                doc INTEGER PRIMARY KEY,
                item_id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                state TEXT NOT NULL,
                path TEXT NOT NULL,
                effective INTEGER NOT NULL,
                expires INTEGER,
                members_only INTEGER NOT NULL,
                creator TEXT,
                date INTEGER NOT NULL,
                tags TEXT NOT NULL DEFAULT ''
            );
            """)
        try configure(db)
    }

    // MARK: Writing

    /// Adds the item's entry.
    static func add(_ item: Item, _ db: Database) throws {
        try add(item, document: SearchDocument(item), db)
    }

    static func add(_ item: Item, document: SearchDocument, _ db: Database) throws {
        // The next entry number: one past the highest (see above).
        try db.cachedStatement(sql: """
            INSERT INTO catalog_meta (doc, item_id, type, state, path, effective, expires, members_only, creator, date, tags)
            VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                item.id.rawValue, item.type.rawValue, item.state.rawValue, item.path, item.effective.millisecondsSince1970,
                item.expires?.millisecondsSince1970, item.membersOnly, item.creator?.rawValue, document.date.millisecondsSince1970,
                document.tagKey,
            ])
        let doc = db.lastInsertedRowID
        try db.cachedStatement(sql: "INSERT INTO catalog (rowid, title, description, body, tags, author) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [doc, document.title, document.description, document.body, document.tags, document.author])
    }

    /// Removes the entry of `item`, given exactly as it is stored.
    static func remove(_ item: Item, _ db: Database) throws {
        guard let doc = try Int64.fetchOne(db.cachedStatement(sql: "SELECT doc FROM catalog_meta WHERE item_id = ?"), arguments: [item.id.rawValue]) else {
            return
        }
        let document = SearchDocument(item)
        try db.cachedStatement(sql: "INSERT INTO catalog (catalog, rowid, title, description, body, tags, author) VALUES ('delete', ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [doc, document.title, document.description, document.body, document.tags, document.author])
        try db.cachedStatement(sql: "DELETE FROM catalog_meta WHERE doc = ?").execute(arguments: [doc])
    }

    /// Replaces the entry of `before` (as stored) by one for `after`.
    static func replace(_ before: Item, with after: Item, _ db: Database) throws {
        try remove(before, db)
        try add(after, db)
    }

    /// Descendants moved with a renamed or moved folder: only their paths change.
    static func move(itemID: String, to path: String, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE catalog_meta SET path = ? WHERE item_id = ?").execute(arguments: [path, itemID])
    }

    /// Empties the catalog and indexes every item again, in one transaction (readers keep the
    /// old catalog until it commits). `progress` receives (done, total).
    static func rebuild(_ db: Database, progress: (@Sendable (Int, Int) -> Void)?) throws {
        try db.execute(sql: "INSERT INTO catalog (catalog) VALUES ('delete-all')")
        try db.execute(sql: "DELETE FROM catalog_meta")
        // Oldest search date first, so that the entries added last are the newest (see above);
        // only (rowid, date) pairs are held in memory, items are read one at a time.
        let order = try Row.fetchAll(db, sql: """
            SELECT rowid, COALESCE(CASE WHEN message_id IS NOT NULL THEN message_date END,
                                   CASE WHEN event_end IS NOT NULL THEN event_start END, effective) AS date
            FROM items ORDER BY date
            """).map { row -> Int64 in row[0] }
        let total = order.count
        let select = try db.makeStatement(sql: "SELECT \(ItemRows.columns) FROM items WHERE rowid = ?")
        for (index, rowid) in order.enumerated() {
            if let item = try ItemRows.fetchOne(select, arguments: [rowid]) { try add(item, db) }
            if let progress, (index + 1) % 1000 == 0 || index + 1 == total { progress(index + 1, total) }
        }
        if total == 0 { progress?(0, 0) }
    }

    // MARK: Searching

    /// Runs a search in one of two ways, chosen by a cheap probe of the full-text index:
    /// - at most `window` entries match the words (most searches on most sites): every visible
    ///   match is ranked with BM25, title and tags weighing most; totals and facets are exact;
    /// - more match (a common word in a large archive): BM25 would first walk every entry of
    ///   each word to weigh it, hundreds of milliseconds for a word in half a million messages.
    ///   Instead the latest `window` visible matches in titles and tags come first (the
    ///   entries added last: see above), then the latest `window` visible matches anywhere;
    ///   the total is then a lower bound.
    static func search(_ search: CatalogSearch, _ db: Database) throws -> CatalogHits {
        guard !search.match.isEmpty else { return .empty }
        let window = max(1, search.window)
        var conditions: [String] = []
        var arguments = StatementArguments()
        try visibility(search.visibility, into: &conditions, &arguments, db)
        filters(search, into: &conditions, &arguments)
        let condition = conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ")
        let matching = try Int64.fetchAll(db.cachedStatement(sql: "SELECT rowid FROM catalog WHERE catalog MATCH ? ORDER BY rowid DESC LIMIT ?"), arguments: [search.match, window + 1]).count

        func hit(_ row: Row, score: Double) -> CatalogHits.Hit? {
            guard let type = ItemType(rawValue: row[1]) else { return nil }
            return CatalogHits.Hit(itemID: ItemID(row[0]), type: type, score: score)
        }
        var hits: [CatalogHits.Hit] = []
        let exact: Bool
        if matching <= window {
            let sql = """
                SELECT m.item_id, m.type, bm25(catalog, \(weights)) FROM catalog JOIN catalog_meta m ON m.doc = catalog.rowid
                WHERE catalog MATCH ?\(condition)
                """
            hits = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [search.match] + arguments).compactMap { hit($0, score: $0[2]) }
            hits.sort { $0.score != $1.score ? $0.score < $1.score : $0.itemID.rawValue < $1.itemID.rawValue }
            exact = true
        } else {
            let sql = """
                SELECT m.item_id, m.type FROM catalog JOIN catalog_meta m ON m.doc = catalog.rowid
                WHERE catalog MATCH ?\(condition) ORDER BY catalog.rowid DESC LIMIT ?
                """
            let titled = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: ["{title tags} : (" + search.match + ") AND (" + search.match + ")"] + arguments + [window])
            let anywhere = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [search.match] + arguments + [window])
            var seen: Set<String> = []
            for row in titled + anywhere where seen.insert(row[0]).inserted {
                if let entry = hit(row, score: Double(hits.count)) { hits.append(entry) }
            }
            exact = anywhere.count < window
        }
        var facets: [ItemType: Int] = [:]
        for hit in hits { facets[hit.type, default: 0] += 1 }
        return CatalogHits(hits: hits, total: hits.count, totalIsExact: exact, facets: facets)
    }

    /// Visibility as SQL over `catalog_meta m`, with the same rules as `AccessPolicy.allows(.view)`.
    static func visibility(_ visibility: CatalogVisibility, into conditions: inout [String], _ arguments: inout StatementArguments, _ db: Database) throws {
        guard !visibility.everything else { return }
        let now = visibility.at.millisecondsSince1970
        let inEffect = "m.state = 'published' AND m.effective <= ? AND (m.expires IS NULL OR m.expires > ?)"
        // Folders that hide what is below them from the public, and (for members) those not published.
        let hidden = try String.fetchAll(db.cachedStatement(sql: """
            SELECT path FROM items WHERE type = 'folder'
            AND NOT (state = 'published' AND effective <= ? AND (expires IS NULL OR expires > ?) AND members_only = 0)
            """), arguments: [now, now])
        var alternatives: [String] = []
        var publicCondition = inEffect + " AND m.members_only = 0"
        var publicArguments: StatementArguments = [now, now]
        notBelow(hidden, condition: &publicCondition, arguments: &publicArguments)
        alternatives.append("(" + publicCondition + ")")
        arguments += publicArguments

        var unpublished: [String]? = nil
        for subtree in visibility.subtrees {
            var within = "1"
            var withinArguments = StatementArguments()
            if subtree.path != "/" {
                within = "(m.path = ? OR substr(m.path, 1, length(?)) = ?)"
                withinArguments = [subtree.path, subtree.path + "/", subtree.path + "/"]
            }
            var grants: [String] = []
            var grantArguments = StatementArguments()
            if subtree.seesEverything {
                grants.append("1")
            } else {
                if subtree.seesPublished {
                    if unpublished == nil {
                        unpublished = try String.fetchAll(db.cachedStatement(sql: """
                            SELECT path FROM items WHERE type = 'folder'
                            AND NOT (state = 'published' AND effective <= ? AND (expires IS NULL OR expires > ?))
                            """), arguments: [now, now])
                    }
                    var published = inEffect
                    var publishedArguments: StatementArguments = [now, now]
                    notBelow(unpublished ?? [], condition: &published, arguments: &publishedArguments)
                    grantArguments += publishedArguments
                    grants.append("(" + published + ")")
                }
                if subtree.seesPending { grants.append("m.state = 'pending'") }
                if let user = subtree.contributor {
                    grants.append("(m.creator = ? OR m.type = 'folder')")
                    grantArguments += [user.rawValue]
                }
            }
            guard !grants.isEmpty else { continue }
            alternatives.append("(" + within + " AND (" + grants.joined(separator: " OR ") + "))")
            arguments += withinArguments
            arguments += grantArguments
        }
        conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
    }

    /// Adds "not below any of these folders" to `condition`. A hidden root hides everything;
    /// many folders go in one JSON parameter (SQLite limits expression depth and parameters).
    /// Lengths are in characters, as `substr` counts them.
    static func notBelow(_ folders: [String], condition: inout String, arguments: inout StatementArguments) {
        guard !folders.isEmpty else { return }
        if folders.contains("/") {
            condition = "0"
            arguments = []
            return
        }
        let prefixes = folders.map { $0 + "/" }
        if prefixes.count <= 20 {
            condition += " AND NOT (" + prefixes.map { _ in "substr(m.path, 1, length(?)) = ?" }.joined(separator: " OR ") + ")"
            for prefix in prefixes { arguments += [prefix, prefix] }
        } else {
            let json = String(decoding: (try? JSONEncoder().encode(prefixes)) ?? Data("[]".utf8), as: UTF8.self)
            condition += " AND NOT EXISTS (SELECT 1 FROM json_each(?) WHERE substr(m.path, 1, length(value)) = value)"
            arguments += [json]
        }
    }

    static func filters(_ search: CatalogSearch, into conditions: inout [String], _ arguments: inout StatementArguments) {
        if let types = search.types {
            let sorted = types.map(\.rawValue).sorted()
            conditions.append("m.type IN (" + Array(repeating: "?", count: max(1, sorted.count)).joined(separator: ",") + ")")
            arguments += sorted.isEmpty ? [""] : StatementArguments(sorted)
        }
        if let below = search.below, below != "/" {
            conditions.append("substr(m.path, 1, length(?)) = ?")
            arguments += [below + "/", below + "/"]
        }
        if let from = search.from {
            conditions.append("m.date >= ?")
            arguments += [from.millisecondsSince1970]
        }
        if let until = search.until {
            conditions.append("m.date <= ?")
            arguments += [until.millisecondsSince1970]
        }
        if let tag = search.tagKey {
            conditions.append("instr(m.tags, ?) > 0")
            arguments += ["\n" + tag + "\n"]
        }
    }
}
