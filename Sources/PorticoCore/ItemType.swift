import Foundation
/// The kinds of content an editor can add. The raw value is stored in databases and archives.
public enum ItemType: String, Sendable, Codable, CaseIterable {
    case folder
    case page
    case news
    case event
    case image
    case file
    case link
    /// A mail message imported from a mailing-list archive (`portico site import-mbox`).
    case message

    /// The name shown to editors and visitors.
    public var displayName: String {
        switch self {
        case .folder: return "Folder"
        case .page: return "Page"
        case .news: return "News item"
        case .event: return "Event"
        case .image: return "Image"
        case .file: return "File"
        case .link: return "Link"
        case .message: return "Message"
        }
    }

    /// Whether items of this type may contain other items.
    public var isContainer: Bool { self == .folder }

    /// Whether items of this type carry an uploaded binary (a blob).
    public var hasBlob: Bool { self == .image || self == .file }

    /// Whether editors add items of this type by hand (messages arrive by import only).
    public var isAddedByEditors: Bool { self != .message }
}

/// The workflow state of an item. Only `published` items can be seen by anonymous visitors.
public enum ItemState: String, Sendable, Codable, CaseIterable {
    case `private`
    case pending
    case published

    public var displayName: String {
        switch self {
        case .private: return "Private"
        case .pending: return "Pending review"
        case .published: return "Published"
        }
    }
}
