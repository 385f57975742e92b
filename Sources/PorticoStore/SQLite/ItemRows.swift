import Foundation
import GRDB
import GRDBSQLite
import PorticoCore

/// Mapping between `Item` and the `items` table. Kept explicit (no reflection) because items
/// are read on every page view.
enum ItemRows {
    static let columns = """
        id, parent_id, path, slug, type, title, description, body, body_html, state, created, modified, \
        effective, expires, creator, position, version, tags, event_start, event_end, event_location, \
        link_target, blob_sha256, blob_mime, blob_size, blob_filename, image_width, image_height, members_only, \
        message_id, message_from, message_date, message_list, message_thread, message_in_reply_to
        """

    static let insertSQL = "INSERT INTO items (\(columns)) VALUES (" + Array(repeating: "?", count: 35).joined(separator: ", ") + ")"

    static let updateSQL = """
        UPDATE items SET parent_id = ?, path = ?, slug = ?, type = ?, title = ?, description = ?, body = ?, \
        body_html = ?, state = ?, created = ?, modified = ?, effective = ?, expires = ?, creator = ?, position = ?, \
        version = ?, tags = ?, event_start = ?, event_end = ?, event_location = ?, link_target = ?, blob_sha256 = ?, \
        blob_mime = ?, blob_size = ?, blob_filename = ?, image_width = ?, image_height = ?, members_only = ?, \
        message_id = ?, message_from = ?, message_date = ?, message_list = ?, message_thread = ?, message_in_reply_to = ? WHERE id = ?
        """

    /// The items of a statement's rows, decoded straight from SQLite's current row. GRDB's
    /// `Row` would first build a column-name index per query (35 names lowercased and hashed)
    /// and, for `fetchAll`, copy every column of every row: a tenth of an uncached page view.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments = StatementArguments()) throws -> [Item] {
        let rows = try ItemCursor(statement, arguments: arguments)
        var items: [Item] = []
        while let item = try rows.next() { items.append(item) }
        return items
    }

    /// The item of a statement's first row, if any.
    static func fetchOne(_ statement: Statement, arguments: StatementArguments = StatementArguments()) throws -> Item? {
        try ItemCursor(statement, arguments: arguments).next()
    }

    /// A GRDB cursor whose elements are items decoded from each row in place.
    private final class ItemCursor: DatabaseCursor {
        typealias Element = Item
        let _statement: Statement
        var _isDone = false

        init(_ statement: Statement, arguments: StatementArguments) throws {
            _statement = statement
            try statement.setArguments(arguments) // resets the statement and binds the arguments
        }

        // Releases the statement at once (a read transaction ends only when its statements are reset).
        deinit { sqlite3_reset(_statement.sqliteStatement) }

        func _element(sqliteStatement: SQLiteStatement) throws -> Item {
            try ItemRows.item(SQLiteColumns(sqliteStatement))
        }
    }

    /// Reads the columns of a statement's current row (valid until the next step).
    private struct SQLiteColumns {
        let statement: SQLiteStatement
        init(_ statement: SQLiteStatement) { self.statement = statement }

        subscript(_ index: CInt) -> String { optional(index) ?? "" }

        func optional(_ index: CInt) -> String? {
            guard sqlite3_column_type(statement, index) != SQLITE_NULL, let text = sqlite3_column_text(statement, index) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self)
        }

        func integer(_ index: CInt) -> Int64 { sqlite3_column_int64(statement, index) }

        func optionalInteger(_ index: CInt) -> Int64? {
            sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, index)
        }

        func date(_ index: CInt) -> Date { Date(millisecondsSince1970: integer(index)) }
    }

    private static func item(_ row: SQLiteColumns) throws -> Item {
        guard let type = ItemType(rawValue: row[4]), let state = ItemState(rawValue: row[9]) else {
            throw PorticoError.storage("unknown item type or state in row \(row[0])")
        }
        let tagText = row[17]
        var event: EventDetails?
        if let start = row.optionalInteger(18), let end = row.optionalInteger(19) {
            event = EventDetails(start: Date(millisecondsSince1970: start), end: Date(millisecondsSince1970: end), location: row[20])
        }
        var blob: BlobReference?
        if let sha = row.optional(22) {
            blob = BlobReference(sha256: sha, mimeType: row.optional(23) ?? "application/octet-stream", size: row.optionalInteger(24) ?? 0, filename: row.optional(25) ?? "file")
        }
        var size: ImageDimensions?
        if let width = row.optionalInteger(26), let height = row.optionalInteger(27) {
            size = ImageDimensions(width: Int(width), height: Int(height))
        }
        var message: MessageDetails?
        if let messageID = row.optional(29), let date = row.optionalInteger(31) {
            message = MessageDetails(
                messageID: messageID, from: row[30], date: Date(millisecondsSince1970: date),
                list: row[32], threadID: row.optional(33) ?? messageID, inReplyTo: row.optional(34)
            )
        }
        return Item(
            id: ItemID(row[0]),
            parentID: row.optional(1).map(ItemID.init),
            path: row[2],
            slug: row[3],
            type: type,
            title: row[5],
            description: row[6],
            body: row[7],
            bodyHTML: row[8],
            state: state,
            created: row.date(10),
            modified: row.date(11),
            effective: row.date(12),
            expires: row.optionalInteger(13).map(Date.init(millisecondsSince1970:)),
            creator: row.optional(14).map(UserID.init),
            position: Int(row.integer(15)),
            version: Int(row.integer(16)),
            tags: tagText.isEmpty ? [] : tagText.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) },
            membersOnly: row.integer(28) != 0,
            event: event,
            linkTarget: row.optional(21),
            blob: blob,
            imageSize: size,
            message: message
        )
    }

    /// Values for every column except `id`, in `updateSQL` order.
    static func values(_ item: Item) -> [(any DatabaseValueConvertible)?] {
        [
            item.parentID?.rawValue, item.path, item.slug, item.type.rawValue, item.title, item.description,
            item.body, item.bodyHTML, item.state.rawValue, item.created.millisecondsSince1970,
            item.modified.millisecondsSince1970, item.effective.millisecondsSince1970,
            item.expires?.millisecondsSince1970, item.creator?.rawValue, item.position, item.version,
            item.tags.joined(separator: "\n"),
            item.event?.start.millisecondsSince1970, item.event?.end.millisecondsSince1970, item.event?.location,
            item.linkTarget, item.blob?.sha256, item.blob?.mimeType, item.blob?.size, item.blob?.filename,
            item.imageSize?.width, item.imageSize?.height, item.membersOnly,
            item.message?.messageID, item.message?.from, item.message?.date.millisecondsSince1970, item.message?.list,
            item.message?.threadID, item.message?.inReplyTo,
        ]
    }

    static func insertArguments(_ item: Item) -> StatementArguments {
        StatementArguments([item.id.rawValue] + values(item))
    }

    static func updateArguments(_ item: Item) -> StatementArguments {
        StatementArguments(values(item) + [item.id.rawValue])
    }
}
