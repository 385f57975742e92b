import Foundation

/// What an editor (or an import) supplies to create or change an item. The content service
/// validates it, derives what is derived (slug, path, HTML) and stores a revision.
public struct ItemDraft: Sendable, Equatable {
    public var type: ItemType
    public var title: String
    /// nil to derive the slug from the title (on creation) or keep it (on update).
    public var slug: String?
    public var description: String
    public var body: String
    public var tags: [String]
    public var membersOnly: Bool
    /// nil means "now" on creation and "unchanged" on update.
    public var effective: Date?
    public var expires: Date?
    public var event: EventDetails?
    public var linkTarget: String?
    public var blob: BlobReference?
    public var imageSize: ImageDimensions?
    public var message: MessageDetails?

    public init(
        type: ItemType, title: String, slug: String? = nil, description: String = "", body: String = "",
        tags: [String] = [], membersOnly: Bool = false, effective: Date? = nil, expires: Date? = nil, event: EventDetails? = nil,
        linkTarget: String? = nil, blob: BlobReference? = nil, imageSize: ImageDimensions? = nil, message: MessageDetails? = nil
    ) {
        self.type = type
        self.title = title
        self.slug = slug
        self.description = description
        self.body = body
        self.tags = tags
        self.membersOnly = membersOnly
        self.effective = effective
        self.expires = expires
        self.event = event
        self.linkTarget = linkTarget
        self.blob = blob
        self.imageSize = imageSize
        self.message = message
    }

    /// The draft that would recreate `item` as it is.
    public init(_ item: Item) {
        self.init(
            type: item.type, title: item.title, slug: item.slug, description: item.description, body: item.body,
            tags: item.tags, membersOnly: item.membersOnly, effective: item.effective, expires: item.expires, event: item.event,
            linkTarget: item.linkTarget, blob: item.blob, imageSize: item.imageSize, message: item.message
        )
    }

    /// The draft without NUL characters: SQLite's C strings would cut text at them, and the
    /// catalog would then index text other than what is stored.
    public var withoutNULs: ItemDraft {
        func clean(_ text: String) -> String { text.removingNULs }
        var draft = self
        draft.title = clean(title)
        draft.slug = slug.map(clean)
        draft.description = clean(description)
        draft.body = clean(body)
        draft.tags = tags.map(clean)
        draft.linkTarget = linkTarget.map(clean)
        draft.event?.location = clean(event?.location ?? "")
        if var details = message {
            details.messageID = clean(details.messageID)
            details.from = clean(details.from)
            details.list = clean(details.list)
            details.threadID = clean(details.threadID)
            details.inReplyTo = details.inReplyTo.map(clean)
            draft.message = details
        }
        return draft
    }

    public static let maximumTitleLength = 300
    public static let maximumDescriptionLength = 2_000
    public static let maximumBodyLength = 1_000_000

    /// Every problem with this draft, as field errors fit to show next to form fields.
    public func problems(atRoot: Bool = false) -> [FieldError] {
        var errors: [FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(FieldError(field: field, message: message)) }

        let trimmedTitle = title.trimmingWhitespaceAndNewlines
        if trimmedTitle.isEmpty { fail("title", "Please enter a title.") }
        if title.count > Self.maximumTitleLength { fail("title", "The title must be at most \(Self.maximumTitleLength) characters.") }
        if title.unicodeScalars.contains(where: { $0.value < 0x20 }) { fail("title", "The title must be a single line.") }
        if let slug, let problem = Slug.problem(with: slug, atRoot: atRoot) { fail("slug", "The short name \(problem).") }
        if description.count > Self.maximumDescriptionLength { fail("description", "The summary must be at most \(Self.maximumDescriptionLength) characters.") }
        if body.utf8.count > Self.maximumBodyLength { fail("body", "The text is too long (at most 1 MB).") }
        for tag in tags where tag.isEmpty || tag.count > 100 || tag.contains("\n") {
            fail("tags", "Each tag must be one line of at most 100 characters.")
            break
        }
        if let effective, let expires, expires <= effective { fail("expires", "The expiry date must be after the publishing date.") }

        switch type {
        case .event:
            if let event {
                if event.end < event.start { fail("end", "The event must end after it starts.") }
                if event.location.count > 300 { fail("location", "The location must be at most 300 characters.") }
            } else {
                fail("start", "Please enter when the event starts and ends.")
            }
        case .link:
            let target = (linkTarget ?? "").trimmingCharacters(in: .whitespaces)
            if target.isEmpty {
                fail("linkTarget", "Please enter the address the link points to.")
            } else if !ItemDraft.isAllowedLinkTarget(target) {
                fail("linkTarget", "The address must start with http://, https://, mailto: or /.")
            }
        case .image:
            if let blob {
                if !MediaSniffer.imageTypes.contains(blob.mimeType) { fail("file", "The file is not a PNG, JPEG, GIF or WebP image.") }
            } else {
                fail("file", "Please choose an image to upload.")
            }
        case .file:
            if blob == nil { fail("file", "Please choose a file to upload.") }
        case .message:
            if let message {
                if message.messageID.isEmpty || message.messageID.utf8.count > 500 { fail("messageID", "The message id must be 1 to 500 bytes.") }
                if message.from.count > 500 || message.list.count > 300 { fail("from", "The sender or list name is too long.") }
            } else {
                fail("message", "A message needs its sender, date and message id.")
            }
        case .folder, .page, .news:
            break
        }
        return errors
    }

    public static func isAllowedLinkTarget(_ target: String) -> Bool {
        let lower = target.lowercased()
        if lower.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == " " }) { return false }
        if lower.hasPrefix("//") { return false }
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || lower.hasPrefix("/")
    }
}
