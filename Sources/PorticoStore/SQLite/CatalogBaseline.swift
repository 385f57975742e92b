import Foundation
import GRDB
public import PorticoCore

/// The physical limit the mail import is measured against: the same texts inserted into a bare
/// FTS5 table with nothing else (no items, revisions, metadata or parsing), one writer, in
/// transactions of the same size. Used by `portico site fts-baseline` (Benchmarks/search-bench.sh).
public final class CatalogBaseline {
    public enum Variant: String, Sendable, CaseIterable {
        /// The catalog's own options: contentless, unicode61 without diacritics, no prefix index,
        /// the catalog's `hashsize`.
        case catalog
        /// The catalog's table options with FTS5's default `hashsize` (1 MB), for comparison.
        case catalogDefaults = "catalog-defaults"
        /// FTS5's defaults with the same tokenizer: the text stored in the table too.
        case stored
        /// Stored text plus prefix indexes for 2 and 3 characters.
        case prefix
    }

    private let queue: DatabaseQueue

    public init(file: URL, variant: Variant) throws {
        try? FileManager.default.removeItem(at: file)
        var configuration = Configuration()
        configuration.journalMode = .wal
        queue = try DatabaseQueue(path: file.path, configuration: configuration)
        let options: String
        switch variant {
        case .catalog, .catalogDefaults: options = "content = '', tokenize = 'unicode61 remove_diacritics 2'"
        case .stored: options = "tokenize = 'unicode61 remove_diacritics 2'"
        case .prefix: options = "prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'"
        }
        try queue.write { db in
            try db.execute(sql: "PRAGMA cache_size = -\(SQLiteSiteStore.bulkCacheKiB)")
            try db.execute(sql: "CREATE VIRTUAL TABLE catalog USING fts5(title, description, body, tags, author, \(options))")
            if variant == .catalog { try SQLiteCatalog.configure(db) }
        }
    }

    /// Inserts one transaction's worth of documents; returns how long the transaction took.
    public func insert(_ documents: [SearchDocument], firstRowID: Int64) throws -> Duration {
        let started = ContinuousClock.now
        try queue.write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO catalog (rowid, title, description, body, tags, author) VALUES (?, ?, ?, ?, ?, ?)")
            for (offset, document) in documents.enumerated() {
                try statement.execute(arguments: [firstRowID + Int64(offset), document.title, document.description, document.body, document.tags, document.author])
            }
        }
        return ContinuousClock.now - started
    }

    /// The size of the database file and its WAL, in bytes.
    public func size(of file: URL) -> Int64 {
        [file.path, file.path + "-wal"].reduce(Int64(0)) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
        }
    }
}
