import Foundation

/// Start, end and place of an event.
public struct EventDetails: Sendable, Codable, Equatable {
    public var start: Date
    public var end: Date
    public var location: String

    public init(start: Date, end: Date, location: String) {
        self.start = start
        self.end = end
        self.location = location
    }
}

/// A reference to a binary stored outside the database, addressed by the SHA-256 of its bytes.
public struct BlobReference: Sendable, Codable, Equatable, Hashable {
    /// Lowercase hexadecimal SHA-256 of the content (64 characters).
    public var sha256: String
    public var mimeType: String
    public var size: Int64
    /// The file name offered for download (sanitised).
    public var filename: String

    public init(sha256: String, mimeType: String, size: Int64, filename: String) {
        self.sha256 = sha256
        self.mimeType = mimeType
        self.size = size
        self.filename = filename
    }

    /// Whether `value` looks like a SHA-256 in lowercase hex; checked before any file access.
    public static func isValidDigest(_ value: some StringProtocol) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}

/// Who sent a mail message, when, to which list, and where it sits in its thread.
public struct MessageDetails: Sendable, Codable, Equatable {
    /// The Message-ID (without angle brackets), or a hash of the raw message when it had none:
    /// unique within a site, so importing the same archive twice adds nothing.
    public var messageID: String
    /// The sender as shown ("Name <address>").
    public var from: String
    public var date: Date
    /// The mailing list (the List-Id, else the folder the archive was imported into).
    public var list: String
    /// The message id of the first message of the thread (its own id when it starts one).
    public var threadID: String
    public var inReplyTo: String?

    public init(messageID: String, from: String, date: Date, list: String, threadID: String, inReplyTo: String? = nil) {
        self.messageID = messageID
        self.from = from
        self.date = date
        self.list = list
        self.threadID = threadID
        self.inReplyTo = inReplyTo
    }
}

/// Width and height of an image in pixels.
public struct ImageDimensions: Sendable, Codable, Equatable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// One node of a site's content tree.
///
/// The `path` is derived from the slugs of the item and its ancestors ("/news/open-day"); the
/// site root has the path "/" and no parent. The `id` never changes, even when the path does.
public struct Item: Sendable, Codable, Equatable, Identifiable {
    public var id: ItemID
    public var parentID: ItemID?
    public var path: String
    public var slug: String
    public var type: ItemType
    public var title: String
    public var description: String
    /// The body as the editor wrote it, in Markdown.
    public var body: String
    /// The body rendered to safe HTML when it was saved (raw HTML escaped, links checked).
    public var bodyHTML: String
    public var state: ItemState
    public var created: Date
    public var modified: Date
    /// When the item becomes visible to the public (scheduled publishing).
    public var effective: Date
    /// When the item stops being visible to the public; nil for never.
    public var expires: Date?
    public var creator: UserID?
    /// Position among its siblings, starting at 0.
    public var position: Int
    /// Incremented by every saved change; used to detect conflicting edits.
    public var version: Int
    public var tags: [String]
    /// For folders: published content below is visible to site members only, not to the public.
    public var membersOnly: Bool

    // Type-specific fields.
    public var event: EventDetails?
    /// Where a link item points to.
    public var linkTarget: String?
    public var blob: BlobReference?
    public var imageSize: ImageDimensions?
    public var message: MessageDetails?

    public init(
        id: ItemID, parentID: ItemID?, path: String, slug: String, type: ItemType,
        title: String, description: String = "", body: String = "", bodyHTML: String = "",
        state: ItemState = .private, created: Date, modified: Date, effective: Date,
        expires: Date? = nil, creator: UserID? = nil, position: Int = 0, version: Int = 1,
        tags: [String] = [], membersOnly: Bool = false, event: EventDetails? = nil, linkTarget: String? = nil,
        blob: BlobReference? = nil, imageSize: ImageDimensions? = nil, message: MessageDetails? = nil
    ) {
        self.id = id
        self.parentID = parentID
        self.path = path
        self.slug = slug
        self.type = type
        self.title = title
        self.description = description
        self.body = body
        self.bodyHTML = bodyHTML
        self.state = state
        self.created = created
        self.modified = modified
        self.effective = effective
        self.expires = expires
        self.creator = creator
        self.position = position
        self.version = version
        self.tags = tags
        self.membersOnly = membersOnly
        self.event = event
        self.linkTarget = linkTarget
        self.blob = blob
        self.imageSize = imageSize
        self.message = message
    }

    public var isRoot: Bool { parentID == nil }

    private enum CodingKeys: String, CodingKey {
        case id, parentID, path, slug, type, title, description, body, bodyHTML, state, created, modified, effective
        case expires, creator, position, version, tags, membersOnly, event, linkTarget, blob, imageSize, message
    }

    /// Decodes revisions written by any earlier version: fields added later get defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(ItemID.self, forKey: .id)
        parentID = try c.decodeIfPresent(ItemID.self, forKey: .parentID)
        path = try c.decode(String.self, forKey: .path)
        slug = try c.decode(String.self, forKey: .slug)
        type = try c.decode(ItemType.self, forKey: .type)
        title = try c.decode(String.self, forKey: .title)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        body = try c.decodeIfPresent(String.self, forKey: .body) ?? ""
        bodyHTML = try c.decodeIfPresent(String.self, forKey: .bodyHTML) ?? ""
        state = try c.decode(ItemState.self, forKey: .state)
        created = try c.decode(Date.self, forKey: .created)
        modified = try c.decode(Date.self, forKey: .modified)
        effective = try c.decode(Date.self, forKey: .effective)
        expires = try c.decodeIfPresent(Date.self, forKey: .expires)
        creator = try c.decodeIfPresent(UserID.self, forKey: .creator)
        position = try c.decodeIfPresent(Int.self, forKey: .position) ?? 0
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        membersOnly = try c.decodeIfPresent(Bool.self, forKey: .membersOnly) ?? false
        event = try c.decodeIfPresent(EventDetails.self, forKey: .event)
        linkTarget = try c.decodeIfPresent(String.self, forKey: .linkTarget)
        blob = try c.decodeIfPresent(BlobReference.self, forKey: .blob)
        imageSize = try c.decodeIfPresent(ImageDimensions.self, forKey: .imageSize)
        message = try c.decodeIfPresent(MessageDetails.self, forKey: .message)
    }

    /// The paths of every ancestor, from the root down, not including this item.
    public var ancestorPaths: [String] { ContentPath.ancestors(of: path) }

    /// Whether anonymous visitors may see this item on its own, ignoring its ancestors:
    /// published, already effective and not yet expired at `date`.
    public func isPubliclyVisible(at date: Date) -> Bool {
        state == .published && effective <= date && (expires.map { $0 > date } ?? true)
    }
}

/// A saved version of an item: who changed it, when, why, and the full content after the change.
public struct Revision: Sendable, Codable, Equatable {
    public var itemID: ItemID
    public var version: Int
    public var author: UserID?
    public var date: Date
    public var comment: String
    public var snapshot: Item

    public init(itemID: ItemID, version: Int, author: UserID?, date: Date, comment: String, snapshot: Item) {
        self.itemID = itemID
        self.version = version
        self.author = author
        self.date = date
        self.comment = comment
        self.snapshot = snapshot
    }
}

/// A path that used to lead to an item, kept so that old links keep working (301).
public struct Redirect: Sendable, Codable, Equatable {
    public var oldPath: String
    public var itemID: ItemID
    public var created: Date

    public init(oldPath: String, itemID: ItemID, created: Date) {
        self.oldPath = oldPath
        self.itemID = itemID
        self.created = created
    }
}
