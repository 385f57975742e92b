import Foundation

/// Who is asking. Every read and write is decided for a principal by `AccessPolicy`.
public enum Principal: Sendable, Equatable {
    /// A visitor who is not logged in.
    case anonymous
    /// A logged-in account.
    case user(UserID, isPlatformAdmin: Bool)
    /// The platform itself (CLI commands, sample content, migrations).
    case system

    public var userID: UserID? {
        if case .user(let id, _) = self { return id }
        return nil
    }
}

/// What a principal wants to do with an item.
public enum Action: String, Sendable, CaseIterable {
    case view
    case edit
    case addChild
    case delete
    case changeState
}

/// The one function that decides every access to content.
///
/// Views, listings, navigation, feeds, sitemaps (and later search and the API) all ask
/// `allows(_:_:item:ancestors:at:)`. Roles and local roles plug in here; no view decides on
/// its own.
public struct AccessPolicy: Sendable {
    public init() {}

    /// Whether `principal` may perform `action` on `item`, whose `ancestors` (root first)
    /// are given so that a hidden folder hides everything below it.
    public func allows(_ principal: Principal, _ action: Action, item: Item, ancestors: [Item], at date: Date) -> Bool {
        switch principal {
        case .system:
            return true
        case .user(_, let isAdmin) where isAdmin:
            return true
        case .anonymous, .user:
            guard action == .view else { return false }
            return item.isPubliclyVisible(at: date) && ancestors.allSatisfy { $0.isPubliclyVisible(at: date) }
        }
    }

    /// Whether `principal` sees only what the public sees; listings can then be filtered in
    /// the store query itself instead of item by item.
    public func seesOnlyPublicContent(_ principal: Principal) -> Bool {
        switch principal {
        case .anonymous: return true
        case .user(_, let isAdmin): return !isAdmin
        case .system: return false
        }
    }
}
