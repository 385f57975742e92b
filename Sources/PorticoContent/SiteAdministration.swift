public import Foundation
public import PorticoCore
public import PorticoStore

/// Platform-level changes: sites and user accounts. Like `ContentService`, it validates,
/// writes through the store and publishes events.
public final class SiteAdministration: Sendable {
    public let store: any ContentStore
    public let events: ContentEventBus
    public let clock: any PorticoClock
    public let ids: any IdentifierSource
    /// bcrypt cost; 12 in production, lower in tests.
    public let bcryptCost: UInt8
    let markdown = MarkdownRenderer()

    public init(store: any ContentStore, events: ContentEventBus, clock: any PorticoClock = SystemClock(), ids: any IdentifierSource = RandomIdentifierSource(), bcryptCost: UInt8 = 12) {
        self.store = store
        self.events = events
        self.clock = clock
        self.ids = ids
        self.bcryptCost = bcryptCost
    }

    // MARK: Sites

    /// Creates a site with an empty home folder. Hostnames are normalised; a site id or
    /// hostname that is taken throws `.alreadyExists`.
    @discardableResult
    public func createSite(id rawID: String, name: String, hostnames rawHostnames: [String], by principal: Principal = .system) async throws -> Site {
        try requireAdmin(principal)
        let id = try SiteID(rawID)
        let hostnames = try Self.normalizedHostnames(rawHostnames)
        let settings = SiteSettings(name: name.trimmingCharacters(in: .whitespacesAndNewlines), footerText: "")
        let problems = settings.problems()
        guard problems.isEmpty else { throw PorticoError.validation(problems) }
        let now = clock.now().roundedToMilliseconds
        let site = Site(id: id, hostnames: hostnames, settings: settings, created: now)
        let body = "Welcome to \(settings.name)."
        let root = Item(
            id: ItemID(ids.newID()), parentID: nil, path: "/", slug: "", type: .folder, title: settings.name,
            body: body, bodyHTML: markdown.html(from: body), state: .published, created: now, modified: now,
            effective: now, creator: principal.userID
        )
        try await store.createSite(site, root: root, rootRevision: Revision(itemID: root.id, version: 1, author: principal.userID, date: now, comment: "Site created", snapshot: root))
        await events.publish(.siteCreated(site))
        return site
    }

    /// Saves new settings, hostnames or status for a site. Platform administrators and the
    /// site's managers may do this.
    @discardableResult
    public func updateSite(_ id: SiteID, by principal: Principal = .system, _ change: (inout Site) -> Void) async throws -> Site {
        guard try await mayManage(id, principal) else { throw PorticoError.forbidden("only the site's managers may change its settings") }
        guard let before = try await store.site(id) else { throw PorticoError.notFound("site \(id)") }
        var after = before
        change(&after)
        after.hostnames = try Self.normalizedHostnames(after.hostnames)
        let problems = after.settings.problems()
        guard problems.isEmpty else { throw PorticoError.validation(problems) }
        try await store.updateSite(after)
        await events.publish(.siteUpdated(before: before, after: after))
        return after
    }

    public func deleteSite(_ id: SiteID, by principal: Principal = .system) async throws {
        try requireAdmin(principal)
        try await store.deleteSite(id)
        await events.publish(.siteDeleted(id))
    }

    static func normalizedHostnames(_ raw: [String]) throws -> [String] {
        var result: [String] = []
        for value in raw {
            guard let host = Hostname.normalize(value.trimmingCharacters(in: .whitespaces)) else {
                throw PorticoError.invalid(field: "hostname “\(value)”", reason: "is not a valid host name (letters, digits, hyphens and dots)")
            }
            if !result.contains(host) { result.append(host) }
        }
        return result
    }

    // MARK: Users

    /// Creates an account. When `password` is nil a strong one is generated and returned.
    public func createUser(username: String, displayName: String? = nil, password: String? = nil, isPlatformAdmin: Bool, by principal: Principal = .system) async throws -> (User, generatedPassword: String?) {
        try requireAdmin(principal)
        if let problem = User.problem(withUsername: username) { throw PorticoError.invalid(field: "username", reason: problem) }
        let secret = password ?? Self.generatePassword()
        try Self.checkPassword(secret)
        let passwordHash = await PasswordHashing.hash(secret, cost: bcryptCost)
        let user = User(
            id: UserID(ids.newID()), username: username, displayName: displayName ?? username,
            passwordHash: passwordHash, isPlatformAdmin: isPlatformAdmin,
            created: clock.now().roundedToMilliseconds
        )
        try await store.createUser(user)
        return (user, password == nil ? secret : nil)
    }

    /// Sets a new password; generates and returns one when `password` is nil.
    public func setPassword(username: String, password: String? = nil, by principal: Principal = .system) async throws -> String? {
        try requireAdmin(principal)
        guard var user = try await store.user(username: username) else { throw PorticoError.notFound("user \(username)") }
        let secret = password ?? Self.generatePassword()
        try Self.checkPassword(secret)
        user.passwordHash = await PasswordHashing.hash(secret, cost: bcryptCost)
        try await store.updateUser(user)
        return password == nil ? secret : nil
    }

    /// Checks a username and password; returns the user when they match.
    public func authenticate(username: String, password: String) async throws -> User? {
        guard let user = try await store.user(username: username) else { return nil }
        return await PasswordHashing.verify(password, hash: user.passwordHash) ? user : nil
    }

    static func checkPassword(_ password: String) throws {
        if password.count < 10 { throw PorticoError.invalid(field: "password", reason: "must be at least 10 characters") }
        if password.utf8.count > 72 { throw PorticoError.invalid(field: "password", reason: "must be at most 72 bytes (a bcrypt limit)") }
    }

    /// 20 characters from an unambiguous alphabet, from the system's secure random source.
    public static func generatePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// Whether `principal` may manage site `id`: a platform administrator, or Manager on its root.
    public func mayManage(_ id: SiteID, _ principal: Principal) async throws -> Bool {
        if principal.isAdministrator { return true }
        guard let user = principal.userID else { return false }
        let root = try await store.content(of: id).root()
        return try await store.grants(site: id, user: user, on: [root.id]).contains { $0.role == .manager }
    }

    private func requireAdmin(_ principal: Principal) throws {
        switch principal {
        case .system, .user(_, isPlatformAdmin: true): return
        default: throw PorticoError.forbidden("only platform administrators may do this")
        }
    }
}
