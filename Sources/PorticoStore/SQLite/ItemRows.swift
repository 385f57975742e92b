import Foundation
import GRDB
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

    static func item(_ row: Row) throws -> Item {
        guard let type = ItemType(rawValue: row[4]), let state = ItemState(rawValue: row[9]) else {
            throw PorticoError.storage("unknown item type or state in row \(row[0] as String)")
        }
        let tagText: String = row[17]
        var event: EventDetails?
        if let start: Int64 = row[18], let end: Int64 = row[19] {
            event = EventDetails(start: Date(millisecondsSince1970: start), end: Date(millisecondsSince1970: end), location: row[20] ?? "")
        }
        var blob: BlobReference?
        if let sha: String = row[22] {
            blob = BlobReference(sha256: sha, mimeType: row[23] ?? "application/octet-stream", size: row[24] ?? 0, filename: row[25] ?? "file")
        }
        var size: ImageDimensions?
        if let width: Int = row[26], let height: Int = row[27] {
            size = ImageDimensions(width: width, height: height)
        }
        var message: MessageDetails?
        if let messageID: String = row[29], let date: Int64 = row[31] {
            message = MessageDetails(
                messageID: messageID, from: row[30] ?? "", date: Date(millisecondsSince1970: date),
                list: row[32] ?? "", threadID: row[33] ?? messageID, inReplyTo: row[34]
            )
        }
        let expires: Int64? = row[13]
        let creator: String? = row[14]
        let parent: String? = row[1]
        return Item(
            id: ItemID(row[0]),
            parentID: parent.map(ItemID.init),
            path: row[2],
            slug: row[3],
            type: type,
            title: row[5],
            description: row[6],
            body: row[7],
            bodyHTML: row[8],
            state: state,
            created: Date(millisecondsSince1970: row[10]),
            modified: Date(millisecondsSince1970: row[11]),
            effective: Date(millisecondsSince1970: row[12]),
            expires: expires.map(Date.init(millisecondsSince1970:)),
            creator: creator.map(UserID.init),
            position: row[15],
            version: row[16],
            tags: tagText.isEmpty ? [] : tagText.components(separatedBy: "\n"),
            membersOnly: row[28],
            event: event,
            linkTarget: row[21],
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
