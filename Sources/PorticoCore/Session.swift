import Foundation

/// A logged-in browser. The cookie holds a random token; the store keeps only its SHA-256
/// (`id`), so a leaked database does not leak usable sessions. Kept in the store, not in
/// process memory, so sessions survive restarts and any node can serve any user.
public struct Session: Sendable, Equatable {
    /// Hex SHA-256 of the cookie token.
    public var id: String
    public var userID: UserID
    public var created: Date
    public var expires: Date
    /// The token every form and state-changing request of this session must carry.
    public var csrfToken: String

    public init(id: String, userID: UserID, created: Date, expires: Date, csrfToken: String) {
        self.id = id
        self.userID = userID
        self.created = created
        self.expires = expires
        self.csrfToken = csrfToken
    }
}
