import Foundation
import GRDB
import PorticoCore

/// The search catalog inside a site's SQLite database, kept in step with `items` by the same
/// write transactions.
///
/// Three tables:
/// - `catalog`, a contentless FTS5 table (title, description, body, tags, author, scope) with
///   the `unicode61 remove_diacritics 2` tokenizer: case- and accent-insensitive, no prefix
///   indexes (they cost more than half the insert rate; prefix queries scan the term range
///   instead). Contentless keeps the catalog about a third of the size; snippets are cut from
///   the items. An entry is removed by deriving the same `SearchDocument` from the item as it
///   was stored (and its scope from `catalog_meta`).
/// - `catalog_titles`, the same for titles and tags only (and scope): the ranking window's
///   first tier ("the words are in the title") walks this small index instead of checking the
///   column of every posting in the large one.
/// - `catalog_meta`, one small row per entry (type, state, path, dates, creator, tags, scope),
///   so that visibility and filters are checked without reading the large `items` rows.
///
/// The `scope` column holds one token per folder above the item (the site root excepted),
/// made from the folder's id, so that "only below this folder" is a full-text term intersected
/// with the words, not a path check on every match. Ids survive renames; a move to another
/// folder indexes the moved subtree's entries again under their own numbers (`rescope`).
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
    /// FTS5's pending-data limit for the catalog, in bytes (see above). Set by `createTables`
    /// and by the migration that introduced it.
    static let hashSize = 16 << 20

    static func configure(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO catalog (catalog, rank) VALUES ('hashsize', \(hashSize))")
        if try db.tableExists("catalog_titles") {
            try db.execute(sql: "INSERT INTO catalog_titles (catalog_titles, rank) VALUES ('hashsize', \(hashSize))")
        }
    }

    static func createTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE catalog USING fts5(
                title, description, body, tags, author, scope,
                content = '', tokenize = 'unicode61 remove_diacritics 2'
            );
            CREATE VIRTUAL TABLE catalog_titles USING fts5(
                title, tags, scope,
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
                tags TEXT NOT NULL DEFAULT '',
                scope TEXT NOT NULL DEFAULT ''
            );
            """)
        try configure(db)
    }

    // MARK: Writing

    /// Adds the item's entry.
    static func add(_ item: Item, _ db: Database) throws {
        var scopes = Scopes()
        try add(item, document: SearchDocument(item), scope: scopes.below(item.parentID?.rawValue, db), db)
    }

    /// Adds an entry; `scope` comes from `Scopes.below(parent)`.
    static func add(_ item: Item, document: SearchDocument, scope: String, _ db: Database) throws {
        // The next entry number: one past the highest (see above).
        try db.cachedStatement(sql: """
            INSERT INTO catalog_meta (doc, item_id, type, state, path, effective, expires, members_only, creator, date, tags, scope)
            VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                item.id.rawValue, item.type.rawValue, item.state.rawValue, item.path, item.effective.millisecondsSince1970,
                item.expires?.millisecondsSince1970, item.membersOnly, item.creator?.rawValue, document.date.millisecondsSince1970,
                document.tagKey, scope,
            ])
        try index(db.lastInsertedRowID, document, scope: scope, db)
    }

    /// Writes entry `doc` into both full-text tables, or with `deleting` removes it from them
    /// (contentless tables need exactly the values that were written).
    private static func index(_ doc: Int64, _ document: SearchDocument, scope: String, deleting: Bool = false, _ db: Database) throws {
        let command = deleting ? "'delete', " : ""
        try db.cachedStatement(sql: """
            INSERT INTO catalog (\(deleting ? "catalog, " : "")rowid, title, description, body, tags, author, scope)
            VALUES (\(command)?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [doc, document.title, document.description, document.body, document.tags, document.author, scope])
        try db.cachedStatement(sql: """
            INSERT INTO catalog_titles (\(deleting ? "catalog_titles, " : "")rowid, title, tags, scope) VALUES (\(command)?, ?, ?, ?)
            """).execute(arguments: [doc, document.title, document.tags, scope])
    }

    /// Removes the entry of `item`, given exactly as it is stored.
    static func remove(_ item: Item, _ db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT doc, scope FROM catalog_meta WHERE item_id = ?"), arguments: [item.id.rawValue]) else {
            return
        }
        let doc: Int64 = row[0]
        try index(doc, SearchDocument(item), scope: row[1], deleting: true, db)
        try db.cachedStatement(sql: "DELETE FROM catalog_meta WHERE doc = ?").execute(arguments: [doc])
    }

    /// The scope tokens of items, by parent, looked up once per parent: each folder above the
    /// parent (itself included, the site root not) as one token.
    struct Scopes {
        private var known: [String: String] = [:]

        mutating func below(_ parentID: String?, _ db: Database) throws -> String {
            guard let parentID else { return "" }
            if let scope = known[parentID] { return scope }
            let grandparent = try String?.fetchOne(db.cachedStatement(sql: "SELECT parent_id FROM items WHERE id = ?"), arguments: [parentID]) ?? nil
            let scope: String
            if let grandparent {
                let above = try below(grandparent, db)
                scope = above.isEmpty ? SQLiteCatalog.scopeToken(parentID) : above + " " + SQLiteCatalog.scopeToken(parentID)
            } else {
                scope = ""  // the site root (or a parent that is gone: the insert fails on it anyway)
            }
            known[parentID] = scope
            return scope
        }
    }

    /// Whether a typed word has the shape of a scope token ("in" and 16 hex digits).
    static func isScopeShaped(_ run: String) -> Bool {
        let word = run.lowercased()
        return word.count == 18 && word.hasPrefix("in") && word.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// A folder's token in the `scope` column: "in" and a 64-bit FNV-1a hash of its id in hex
    /// (one token for any id, whatever characters it has; compared within the column only).
    static func scopeToken(_ id: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "in" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Replaces the entry of `before` (as stored) by one for `after`.
    static func replace(_ before: Item, with after: Item, _ db: Database) throws {
        try remove(before, db)
        try add(after, db)
    }

    /// Descendants moved with a renamed or moved folder: their paths change (and, when the
    /// folder went to another parent, their scopes: see `rescope`).
    static func move(itemID: String, to path: String, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE catalog_meta SET path = ? WHERE item_id = ?").execute(arguments: [path, itemID])
    }

    /// Gives the entries of the items below `prefix` (a folder's path and "/") their current
    /// scopes, after that folder moved to another parent. Each entry keeps its number, so the
    /// moved messages keep their place in the latest-first order; items are read one at a time.
    static func rescope(below prefix: String, _ db: Database) throws {
        let entries = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT m.doc, m.scope, i.rowid FROM catalog_meta m JOIN items i ON i.id = m.item_id
            WHERE substr(m.path, 1, ?) = ?
            """), arguments: [prefix.count, prefix])
        let select = try db.cachedStatement(sql: "SELECT \(ItemRows.columns) FROM items WHERE rowid = ?")
        var scopes = Scopes()
        for entry in entries {
            let doc: Int64 = entry[0]
            let old: String = entry[1]
            guard let item = try ItemRows.fetchOne(select, arguments: [entry[2] as Int64]) else { continue }
            let scope = try scopes.below(item.parentID?.rawValue, db)
            guard scope != old else { continue }
            let document = SearchDocument(item)
            try index(doc, document, scope: old, deleting: true, db)
            try index(doc, document, scope: scope, db)
            try db.cachedStatement(sql: "UPDATE catalog_meta SET scope = ? WHERE doc = ?").execute(arguments: [scope, doc])
        }
    }

    /// Empties the catalog and indexes every item again, in one transaction (readers keep the
    /// old catalog until it commits). `progress` receives (done, total).
    static func rebuild(_ db: Database, progress: (@Sendable (Int, Int) -> Void)?) throws {
        try db.execute(sql: "INSERT INTO catalog (catalog) VALUES ('delete-all')")
        try db.execute(sql: "INSERT INTO catalog_titles (catalog_titles) VALUES ('delete-all')")
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
        var scopes = Scopes()
        for (index, rowid) in order.enumerated() {
            if let item = try ItemRows.fetchOne(select, arguments: [rowid]) {
                try add(item, document: SearchDocument(item), scope: scopes.below(item.parentID?.rawValue, db), db)
            }
            if let progress, (index + 1) % 1000 == 0 || index + 1 == total { progress(index + 1, total) }
        }
        if total == 0 { progress?(0, 0) }
    }

    // MARK: Searching

    /// Runs a search in one of two ways:
    /// - words matching at most `window` entries, found by a cheap probe of the full-text index
    ///   (most searches on most sites): every visible match is ranked with BM25, title and tags
    ///   weighing most; totals and facets are exact;
    /// - more matches, or a phrase or prefix: ranking every match would first weigh each word
    ///   by walking all its entries (hundreds of milliseconds for a word in half a million
    ///   messages), and evaluate each phrase or prefix (a merge of every word it expands to) in
    ///   full once more. Instead the latest `window` visible matches in titles and tags come
    ///   first (from the small `catalog_titles`), then the latest `window` visible matches
    ///   anywhere; the total is exact only when fewer than `window` matched.
    /// A folder filter is the folder's scope token, intersected in the full-text index.
    static func search(_ search: CatalogSearch, _ db: Database) throws -> CatalogHits {
        guard !search.match.isEmpty else { return .empty }
        let window = max(1, search.window)
        let expression = MatchShape(search.match)
        var scopeTerm: String? = nil
        if let below = search.below, below != "/" {
            guard let folder = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM items WHERE path = ?"), arguments: [below]) else {
                return .empty
            }
            scopeTerm = "scope : \"" + scopeToken(folder) + "\""
        }
        let scope = scopeTerm.map { " AND " + $0 } ?? ""
        // A typed word shaped like a scope token must not match the scope column.
        let words = expression.runs.contains(where: isScopeShaped) ? "{title description body tags author} : (" + search.match + ")" : search.match
        let match = scope.isEmpty ? words : "(" + words + ")" + scope
        var conditions: [String] = []
        var arguments = StatementArguments()
        try visibility(search.visibility, into: &conditions, &arguments, db)
        filters(search, into: &conditions, &arguments)
        let condition = conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ")

        func hit(_ row: Row, score: Double) -> CatalogHits.Hit? {
            guard let type = ItemType(rawValue: row[1]) else { return nil }
            return CatalogHits.Hit(itemID: ItemID(row[0]), type: type, score: score)
        }
        var hits: [CatalogHits.Hit] = []
        if !expression.hasPhrase && !expression.hasPrefix {
            // Counted in FTS5's own order: walking backwards, FTS5 steps through every entry of a
            // common word where walking forwards it skips ahead (see `phraseSpanStart`).
            let matching = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM (SELECT rowid FROM catalog WHERE catalog MATCH ? LIMIT ?)"), arguments: [match, window + 1]) ?? 0
            if matching <= window {
                // One frequency per phrase of the expression, in its order: the words, the
                // excluded words (never in a match) and the scope token (weighs nothing).
                var frequencies = try inverseFrequencies(of: expression.runs, excluded: expression.excludedRuns, db)
                if !scope.isEmpty { frequencies.append(0) }
                let sql = """
                    SELECT m.item_id, m.type, \(CatalogRank.functionName)(catalog\(String(repeating: ", ?", count: frequencies.count)))
                    FROM catalog JOIN catalog_meta m ON m.doc = catalog.rowid
                    WHERE catalog MATCH ?\(condition)
                    """
                hits = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(frequencies) + [match] + arguments).compactMap { hit($0, score: $0[2]) }
                hits.sort { $0.score != $1.score ? $0.score < $1.score : $0.itemID.rawValue < $1.itemID.rawValue }
                return CatalogHits(hits: hits, total: hits.count, totalIsExact: true, facets: facets(of: hits))
            }
        }
        // A phrase of common words: only the latest part of the catalog where the rarest of them
        // holds `phraseCandidates` entries, unless the search asks for everything.
        // (Not with a date range: the latest part may hold none of its dates.)
        var oldest: Int64? = nil
        let boundedPhrase = expression.hasPhrase && !search.complete && search.from == nil && search.until == nil
        if boundedPhrase {
            oldest = try phraseSpanStart(terms: expression.requiredWords.map { "\"" + $0 + "\"" } + (scopeTerm.map { [$0] } ?? []), db)
        }
        // Titles first: the title index holds every word of the query (excluded words are
        // checked against the whole entry, when there are any).
        let titleMatch = "{title tags} : (" + search.match + ")" + scope
        let titledSQL = expression.hasExclusions ? """
            SELECT m.item_id, m.type FROM catalog_titles JOIN catalog ON catalog.rowid = catalog_titles.rowid
            JOIN catalog_meta m ON m.doc = catalog_titles.rowid
            WHERE catalog_titles MATCH ? AND catalog MATCH ?\(condition) ORDER BY catalog_titles.rowid DESC LIMIT ?
            """ : """
            SELECT m.item_id, m.type FROM catalog_titles JOIN catalog_meta m ON m.doc = catalog_titles.rowid
            WHERE catalog_titles MATCH ?\(condition) ORDER BY catalog_titles.rowid DESC LIMIT ?
            """
        let titledArguments: StatementArguments = expression.hasExclusions ? [titleMatch, match] : [titleMatch]
        let titled = try Row.fetchAll(db.cachedStatement(sql: titledSQL), arguments: titledArguments + arguments + [window])
        let anywhere: [Row]
        if boundedPhrase {
            // At most `phraseCandidates` entries hold every word in this span (or in the whole
            // catalog, when one word is rarer than that): read forwards, where FTS5 skips
            // through the common words' lists, then keep the latest.
            anywhere = Array(try Row.fetchAll(db.cachedStatement(sql: """
                SELECT m.item_id, m.type FROM catalog JOIN catalog_meta m ON m.doc = catalog.rowid
                WHERE catalog MATCH ? AND catalog.rowid >= ?\(condition) ORDER BY catalog.rowid
                """), arguments: [match, oldest ?? 0] + arguments).reversed().prefix(window))
        } else {
            anywhere = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT m.item_id, m.type FROM catalog JOIN catalog_meta m ON m.doc = catalog.rowid
                WHERE catalog MATCH ?\(condition) ORDER BY catalog.rowid DESC LIMIT ?
                """), arguments: [match] + arguments + [window])
        }
        var seen: Set<String> = []
        for row in titled + anywhere where seen.insert(row[0]).inserted {
            if let entry = hit(row, score: Double(hits.count)) { hits.append(entry) }
        }
        let partial = oldest != nil && anywhere.count < window
        let exact = anywhere.count < window && !partial
        return CatalogHits(hits: hits, total: hits.count, totalIsExact: exact, facets: facets(of: hits), isPartial: partial)
    }

    /// Inverse document frequencies for `portico_rank` (see `CatalogRank`), one per run: a
    /// word in fewer than 1,000 entries is counted; a commoner one is estimated from how far
    /// back its 1,000th latest entry lies, instead of walking its whole list (which is what
    /// FTS5's `bm25()` does, about 15 ms for a word in 300,000 messages). Excluded runs get 0.
    static func inverseFrequencies(of runs: [String], excluded: Set<Int>, _ db: Database) throws -> [Double] {
        let sample = 1_000
        let highest = Double(try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(doc) FROM catalog_meta")) ?? 0)
        let entries = max(1, highest)
        return try runs.enumerated().map { index, run in
            guard !excluded.contains(index) else { return 0 }
            let term = "\"" + run + "\""
            let count: Double
            if let nth = try latestEntry(holding: term, at: sample, db) {
                count = min(entries, Double(sample) * entries / max(1, highest - Double(nth) + 1))
            } else {
                count = Double(try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM (SELECT rowid FROM catalog WHERE catalog MATCH ? LIMIT ?)"), arguments: [term, sample]) ?? 0)
            }
            return max(1e-6, log((entries - count + 0.5) / (count + 0.5)))
        }
    }

    /// The number of the `rank`-th latest entry holding `term` (a full-text expression), or nil
    /// when fewer hold it. Skips through the term's list without reading its positions.
    static func latestEntry(holding term: String, at rank: Int, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT rowid FROM catalog WHERE catalog MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"),
            arguments: [term, rank - 1])
    }

    /// How many entries holding the rarest word of a phrase are checked at most (when every
    /// word of it is that common). FTS5 checks a phrase in each entry holding all its words,
    /// and finding each in the lists of common words ("the", "to") costs 4–6 µs at a million
    /// entries (a measured 36–52 ms for 9,500 entries), so 3,000 keep a phrase near 15 ms.
    static let phraseCandidates = 3_000

    /// The lowest entry number to search for a phrase whose entries hold all of `terms` (its
    /// words, and the folder filter's scope token), or nil when one of them is in
    /// fewer than `phraseCandidates` entries (the whole catalog is then cheap to check). Each
    /// word's `phraseCandidates`-th latest entry is found by skipping, not reading, its list;
    /// the span is then read forwards: FTS5 (3.40) finds each entry of the rarest word in the
    /// lists of the common ones by skipping ahead when reading forwards, but steps through them
    /// entry by entry when reading backwards (a measured 2 ms against 48 ms for one span);
    /// the span starts at the earliest of those: the rarest word has `phraseCandidates`
    /// entries in it, so no more entries can hold the whole phrase.
    static func phraseSpanStart(terms: [String], _ db: Database) throws -> Int64? {
        guard !terms.isEmpty else { return nil }
        var start: Int64? = nil
        for term in Set(terms) {
            guard let nth = try latestEntry(holding: term, at: phraseCandidates, db) else { return nil }
            start = min(start ?? nth, nth)
        }
        return start
    }

    static func facets(of hits: [CatalogHits.Hit]) -> [ItemType: Int] {
        var facets: [ItemType: Int] = [:]
        for hit in hits { facets[hit.type, default: 0] += 1 }
        return facets
    }

    /// What a match expression (as `SearchQuery.matchExpression` writes it) asks for: a phrase
    /// is a quoted run with a space in it, a prefix a `*` after a quote, an exclusion a `NOT`
    /// outside quotes.
    struct MatchShape {
        var hasPhrase = false
        var hasPrefix = false
        var hasExclusions = false
        /// Every quoted run, in order (FTS5 numbers the phrases of an expression this way).
        var runs: [String] = []
        /// The indexes in `runs` of those after a `NOT`.
        var excludedRuns: Set<Int> = []

        /// The words every match holds (those of the runs not after a `NOT`).
        var requiredWords: [String] {
            runs.indices.filter { !excludedRuns.contains($0) }.flatMap { runs[$0].split(separator: " ").map(String.init) }
        }

        init(_ match: String) {
            var quoted = false
            var outside = ""
            var run = ""
            for character in match {
                if character == "\"" {
                    if quoted {
                        if outside.hasSuffix(" NOT ") { excludedRuns.insert(runs.count) }
                        runs.append(run)
                    }
                    run = ""
                    quoted.toggle()
                    if quoted { continue }
                    outside.append(" ")
                } else if quoted {
                    if character == " " { hasPhrase = true }
                    run.append(character)
                } else {
                    outside.append(character)
                }
            }
            hasExclusions = outside.contains(" NOT ")
            hasPrefix = outside.contains("*")
        }
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
