import Foundation
import GRDB
import GRDBSQLite

/// `portico_rank(catalog, idf…)`: BM25 over the catalog's columns, with each phrase's inverse
/// document frequency given by the caller instead of counted by FTS5.
///
/// FTS5's own `bm25()` counts, once per query, the entries holding each phrase by walking its
/// whole posting list: for a word in 300,000 messages that walk alone takes about 15 ms, however
/// few entries the query matches ("had drothing" matches 600). The catalog estimates those
/// counts from the latest part of each word's list instead (`SQLiteCatalog.inverseFrequencies`)
/// and passes them here. Otherwise the score is FTS5's: per phrase, the column-weighted term
/// frequency against the entry's length, k1 = 1.2, b = 0.75; lower is better, as with `bm25()`.
enum CatalogRank {
    static let functionName = "portico_rank"

    /// Column weights, in the catalog's column order (title, description, body, tags, author, scope).
    static let weights: [Double] = [10, 4, 1, 5, 2, 0]

    /// Registers the function on a connection (once per connection, from `prepareDatabase`).
    static func register(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { return }
        var statement: OpaquePointer? = nil
        guard sqlite3_prepare_v2(connection, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: .SQLITE_ERROR, message: "FTS5 is not available")
        }
        defer { sqlite3_finalize(statement) }
        var api: UnsafeMutablePointer<fts5_api>? = nil
        let type: StaticString = "fts5_api_ptr"
        withUnsafeMutablePointer(to: &api) { pointer in
            type.utf8Start.withMemoryRebound(to: CChar.self, capacity: type.utf8CodeUnitCount + 1) { name in
                _ = sqlite3_bind_pointer(statement, 1, pointer, name, nil)
                _ = sqlite3_step(statement)
            }
        }
        guard let api, api.pointee.iVersion >= 2, let create = api.pointee.xCreateFunction else {
            throw DatabaseError(resultCode: .SQLITE_ERROR, message: "FTS5 API version 2 is not available")
        }
        let code = functionName.withCString { name in create(api, name, nil, rankFunction, nil) }
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register \(functionName)") }
    }
}

/// The function itself (a C function: it captures nothing).
private let rankFunction: fts5_extension_function = { api, fts, context, argumentCount, arguments in
    guard let api = api?.pointee, let fts,
          let phraseCountOf = api.xPhraseCount, let instanceCountOf = api.xInstCount, let instance = api.xInst,
          let columnSize = api.xColumnSize, let rowCount = api.xRowCount, let totalSize = api.xColumnTotalSize else {
        sqlite3_result_error(context, "portico_rank: incomplete FTS5 API", -1)
        return
    }
    let phrases = Int(phraseCountOf(fts))
    var instances: Int32 = 0
    guard instanceCountOf(fts, &instances) == SQLITE_OK else {
        sqlite3_result_error(context, "portico_rank: no instances", -1)
        return
    }
    let weights = CatalogRank.weights
    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, phrases)) { frequencies in
        frequencies.initialize(repeating: 0)
        for index in 0..<instances {
            var phrase: Int32 = 0
            var column: Int32 = 0
            var offset: Int32 = 0
            guard instance(fts, index, &phrase, &column, &offset) == SQLITE_OK, phrase >= 0, Int(phrase) < phrases else { continue }
            frequencies[Int(phrase)] += Int(column) < weights.count && column >= 0 ? weights[Int(column)] : 0
        }
        var length: Int32 = 0
        var rows: Int64 = 0
        var tokens: Int64 = 0
        _ = columnSize(fts, -1, &length)
        _ = rowCount(fts, &rows)
        _ = totalSize(fts, -1, &tokens)
        let average = rows > 0 && tokens > 0 ? Double(tokens) / Double(rows) : 1
        let k1 = 1.2
        let b = 0.75
        let norm = k1 * (1 - b + b * Double(length) / average)
        var score = 0.0
        for phrase in 0..<phrases where frequencies[phrase] > 0 {
            var idf = 1.0
            if phrase < Int(argumentCount), let arguments, let value = arguments[phrase] {
                idf = sqlite3_value_double(value)
            }
            let frequency = frequencies[phrase]
            score += idf * frequency * (k1 + 1) / (frequency + norm)
        }
        sqlite3_result_double(context, -score)
    }
}
