public import Foundation
public import PorticoCore
public import PorticoStore
import Crypto
import HummingbirdBcrypt
import Synchronization

/// Logging in and out, with server-side sessions and login throttling.
///
/// The browser gets a random 256-bit token; the store keeps only its SHA-256, with the user,
/// an expiry and the session's CSRF token. Sessions slide: each use within the second half of
/// the lifetime extends them (one write at most per half lifetime).
public final class SessionService: Sendable {
    public let store: any ContentStore
    public let clock: any PorticoClock
    public let lifetime: TimeInterval
    public let throttle: LoginThrottle

    public init(store: any ContentStore, clock: any PorticoClock = SystemClock(), lifetime: TimeInterval = 8 * 3600, throttle: LoginThrottle = LoginThrottle()) {
        self.store = store
        self.clock = clock
        self.lifetime = lifetime
        self.throttle = throttle
    }

    /// The outcome of a login attempt.
    public enum LoginResult: Sendable {
        /// Logged in: `token` goes into the session cookie.
        case success(token: String, session: Session, user: User)
        case wrongCredentials
        /// Too many failures for this account or this address; try again after the interval.
        case throttled(retryAfter: TimeInterval)
        /// The credentials are right, but only platform administrators may log in now (the
        /// `login` feature switch is off). No session was created.
        case administratorsOnly
    }

    /// Checks the credentials and opens a session. With `administratorsOnly`, other accounts are
    /// refused after the password check, so the answer for a wrong password does not reveal
    /// whether an account is an administrator.
    public func login(username: String, password: String, clientAddress: String, administratorsOnly: Bool = false) async throws -> LoginResult {
        let now = clock.now()
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = throttle.wait(account: name, address: clientAddress, now: now) {
            return .throttled(retryAfter: wait)
        }
        let user = try await store.user(username: name)
        // Verify against a dummy hash for unknown users, so timing does not reveal which exist.
        let matches = password.utf8.count <= 72 ? await PasswordHashing.verify(password, hash: user?.passwordHash ?? Self.dummyHash) : false
        guard let user, matches else {
            throttle.recordFailure(account: name, address: clientAddress, now: now)
            return .wrongCredentials
        }
        throttle.recordSuccess(account: name)
        if administratorsOnly && !user.isPlatformAdmin { return .administratorsOnly }
        let token = Self.randomToken()
        let session = Session(id: Self.digest(token), userID: user.id, created: now.roundedToMilliseconds, expires: now.addingTimeInterval(lifetime).roundedToMilliseconds, csrfToken: Self.randomToken())
        try await store.createSession(session)
        return .success(token: token, session: session, user: user)
    }

    /// The session and user for a cookie token, or nil when unknown or expired.
    public func resume(token: String) async throws -> (Session, User)? {
        guard token.utf8.count == 43, token.utf8.allSatisfy(Self.isTokenByte) else { return nil }
        let now = clock.now()
        guard var session = try await store.session(id: Self.digest(token)) else { return nil }
        guard session.expires > now else {
            try await store.deleteSession(id: session.id)
            return nil
        }
        guard let user = try await store.user(session.userID) else { return nil }
        if session.expires.timeIntervalSince(now) < lifetime / 2 {
            session.expires = now.addingTimeInterval(lifetime).roundedToMilliseconds
            try await store.extendSession(id: session.id, until: session.expires)
        }
        return (session, user)
    }

    public func logout(token: String) async throws {
        try await store.deleteSession(id: Self.digest(token))
    }

    /// Ends every session of the user, on every browser and node.
    public func logoutEverywhere(_ user: UserID) async throws {
        try await store.deleteSessions(of: user)
    }

    private static let dummyHash = Bcrypt.hash("portico-no-such-user", cost: 12)

    /// 32 random bytes, base64url without padding (43 characters).
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 95
    }

    /// Compares two secrets in time independent of where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// Counts failed logins per account and per client address in a sliding window, and makes
/// the caller wait once a limit is reached. Kept in memory: per node, which bounds guessing
/// to (limit × nodes) per window; a shared store can replace it when clusters arrive.
public final class LoginThrottle: Sendable {
    public let window: TimeInterval
    public let accountLimit: Int
    public let addressLimit: Int
    private let failures = Mutex<(accounts: [String: [Date]], addresses: [String: [Date]])>(([:], [:]))

    public init(window: TimeInterval = 15 * 60, accountLimit: Int = 5, addressLimit: Int = 20) {
        self.window = window
        self.accountLimit = accountLimit
        self.addressLimit = addressLimit
    }

    /// How long the caller must wait, or nil if it may try now.
    public func wait(account: String, address: String, now: Date) -> TimeInterval? {
        failures.withLock { state in
            let cutoff = now.addingTimeInterval(-window)
            let accountFailures = (state.accounts[account] ?? []).filter { $0 > cutoff }
            let addressFailures = (state.addresses[address] ?? []).filter { $0 > cutoff }
            var waits: [TimeInterval] = []
            if accountFailures.count >= accountLimit, let oldest = accountFailures.first { waits.append(oldest.addingTimeInterval(window).timeIntervalSince(now)) }
            if addressFailures.count >= addressLimit, let oldest = addressFailures.first { waits.append(oldest.addingTimeInterval(window).timeIntervalSince(now)) }
            return waits.max().map { max(1, $0) }
        }
    }

    public func recordFailure(account: String, address: String, now: Date) {
        failures.withLock { state in
            let cutoff = now.addingTimeInterval(-window)
            state.accounts[account, default: []].removeAll { $0 <= cutoff }
            state.accounts[account, default: []].append(now)
            state.addresses[address, default: []].removeAll { $0 <= cutoff }
            state.addresses[address, default: []].append(now)
            if state.accounts.count > 100_000 { state.accounts.removeAll() }
            if state.addresses.count > 100_000 { state.addresses.removeAll() }
        }
    }

    public func recordSuccess(account: String) {
        failures.withLock { _ = $0.accounts.removeValue(forKey: account) }
    }
}
