import Foundation

/// Who is asking. Every read and write is decided for a principal by `AccessPolicy`.
public enum Principal: Sendable, Equatable, Hashable {
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

    /// Platform administrators and the system may do everything everywhere.
    public var isAdministrator: Bool {
        switch self {
        case .system: return true
        case .user(_, let isAdmin): return isAdmin
        case .anonymous: return false
        }
    }
}

/// The roles a user can hold in a site. A role granted on a folder applies to it and to
/// everything below it ("local roles"); a role granted on the site root is a site role.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// Everything, including users, sharing and site settings.
    case manager
    /// Edit and publish anything.
    case editor
    /// Add content, edit own drafts, submit them for review.
    case contributor
    /// Publish or reject pending items.
    case reviewer
    /// View members-only content.
    case member

    public var displayName: String {
        switch self {
        case .manager: return "Manager"
        case .editor: return "Editor"
        case .contributor: return "Contributor"
        case .reviewer: return "Reviewer"
        case .member: return "Member"
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A role given to a user on an item of a site (the root for a site-wide role).
public struct RoleGrant: Sendable, Codable, Equatable, Hashable {
    public var site: SiteID
    public var user: UserID
    public var item: ItemID
    public var role: Role

    public init(site: SiteID, user: UserID, item: ItemID, role: Role) {
        self.site = site
        self.user = user
        self.item = item
        self.role = role
    }
}

/// What a principal wants to do with an item.
public enum Action: String, Sendable, CaseIterable {
    case view
    case edit
    case addChild
    case delete
    case submit
    case publish
    case reject
    case retract
    case viewHistory
    case manageSharing
    case manageSite
}

/// The workflow: private → pending (submit) → published (publish); reject (pending →
/// private); retract (published → private). Editors may also publish a private item directly.
public enum Transition: String, Sendable, CaseIterable {
    case submit
    case publish
    case reject
    case retract

    public var action: Action {
        switch self {
        case .submit: return .submit
        case .publish: return .publish
        case .reject: return .reject
        case .retract: return .retract
        }
    }

    public var target: ItemState {
        switch self {
        case .submit: return .pending
        case .publish: return .published
        case .reject, .retract: return .private
        }
    }

    /// The states this transition may start from.
    public var sources: Set<ItemState> {
        switch self {
        case .submit: return [.private]
        case .publish: return [.private, .pending]
        case .reject: return [.pending]
        case .retract: return [.published]
        }
    }

    public var displayName: String {
        switch self {
        case .submit: return "Submit for review"
        case .publish: return "Publish"
        case .reject: return "Send back"
        case .retract: return "Retract"
        }
    }

    /// Past tense, for feedback messages ("Published").
    public var doneMessage: String {
        switch self {
        case .submit: return "Submitted for review"
        case .publish: return "Published"
        case .reject: return "Sent back to the author"
        case .retract: return "Retracted"
        }
    }
}

/// The one function that decides every access to content.
///
/// Views, listings, navigation, feeds, sitemaps, the editor UI (and later search and the API)
/// all ask `allows(_:_:item:ancestors:roles:at:)`. The caller passes the roles the user holds
/// at the item (grants on the item and on all its ancestors, looked up in one indexed query
/// by ancestor ids, never one condition per grant).
public struct AccessPolicy: Sendable {
    public init() {}

    /// Whether `principal`, holding `roles` at `item`, may perform `action` on it.
    /// `ancestors` are root first, so that a hidden folder hides everything below it.
    public func allows(_ principal: Principal, _ action: Action, item: Item, ancestors: [Item], roles: Set<Role> = [], at date: Date) -> Bool {
        if principal.isAdministrator { return true }
        guard let user = principal.userID else {
            return action == .view && isPublic(item, ancestors: ancestors, at: date)
        }
        let canManage = roles.contains(.manager)
        let canEditAll = canManage || roles.contains(.editor)
        let isReviewer = canEditAll || roles.contains(.reviewer)
        let isContributor = canEditAll || roles.contains(.contributor)
        let ownsDraft = roles.contains(.contributor) && item.creator == user && item.state == .private

        switch action {
        case .view:
            if canEditAll { return true }
            if isPublic(item, ancestors: ancestors, at: date) { return true }
            // Any role includes the member level: published members-only content.
            if !roles.isEmpty && isPublished(item, ancestors: ancestors, at: date) { return true }
            if roles.contains(.reviewer) && item.state == .pending { return true }
            if roles.contains(.contributor) && (item.creator == user || item.type == .folder) { return true }
            return false
        case .edit:
            return canEditAll || ownsDraft
        case .addChild:
            return item.type.isContainer && isContributor
        case .delete:
            return !item.isRoot && (canEditAll || ownsDraft)
        case .submit:
            return item.state == .private && (canEditAll || (roles.contains(.contributor) && item.creator == user))
        case .publish:
            return (item.state == .pending && isReviewer) || (item.state == .private && canEditAll)
        case .reject:
            return item.state == .pending && isReviewer
        case .retract:
            return item.state == .published && isReviewer
        case .viewHistory:
            return canEditAll || isReviewer || ownsDraft || (roles.contains(.contributor) && item.creator == user)
        case .manageSharing, .manageSite:
            return canManage
        }
    }

    /// Whether `principal` may make `transition` on `item`.
    public func allows(_ principal: Principal, _ transition: Transition, item: Item, ancestors: [Item], roles: Set<Role>, at date: Date) -> Bool {
        transition.sources.contains(item.state) && allows(principal, transition.action, item: item, ancestors: ancestors, roles: roles, at: date)
    }

    /// Whether `principal` sees only what anonymous visitors see, whatever the item; listings
    /// can then filter in the store query itself.
    public func seesOnlyPublicContent(_ principal: Principal, roles: Set<Role> = []) -> Bool {
        !principal.isAdministrator && roles.isEmpty
    }

    /// Published, in effect, not expired, not members-only, and the same for every ancestor.
    public func isPublic(_ item: Item, ancestors: [Item], at date: Date) -> Bool {
        !item.membersOnly && item.isPubliclyVisible(at: date)
            && ancestors.allSatisfy { !$0.membersOnly && $0.isPubliclyVisible(at: date) }
    }

    /// Published, in effect and not expired, with every ancestor (members-only allowed).
    public func isPublished(_ item: Item, ancestors: [Item], at date: Date) -> Bool {
        item.isPubliclyVisible(at: date) && ancestors.allSatisfy { $0.isPubliclyVisible(at: date) }
    }
}
