import Foundation

/// What a site manager can change about a site's look, without touching the platform theme.
public struct SiteSettings: Sendable, Codable, Equatable {
    public var name: String
    public var tagline: String
    /// CSS colour as `#rrggbb`; validated so it can be placed in a style attribute safely.
    public var accentColor: String
    public var footerText: String
    public var logo: BlobReference?

    public init(name: String, tagline: String = "", accentColor: String = "#1d4f91", footerText: String = "", logo: BlobReference? = nil) {
        self.name = name
        self.tagline = tagline
        self.accentColor = accentColor
        self.footerText = footerText
        self.logo = logo
    }

    /// Every problem with these settings, as field errors.
    public func problems() -> [FieldError] {
        var errors: [FieldError] = []
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { errors.append(FieldError(field: "name", message: "must not be empty")) }
        if name.count > 200 { errors.append(FieldError(field: "name", message: "must be at most 200 characters")) }
        if !SiteSettings.isValidColor(accentColor) {
            errors.append(FieldError(field: "accentColor", message: "must be a colour like #1d4f91"))
        }
        if footerText.count > 2000 { errors.append(FieldError(field: "footerText", message: "must be at most 2000 characters")) }
        return errors
    }

    public static func isValidColor(_ value: String) -> Bool {
        let utf8 = Array(value.utf8)
        guard utf8.count == 7, utf8[0] == UInt8(ascii: "#") else { return false }
        return utf8.dropFirst().allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

/// Whether a site is served.
public enum SiteStatus: String, Sendable, Codable {
    case active
    case disabled
}

/// One website: its id, the hostnames it answers on and its settings.
public struct Site: Sendable, Codable, Equatable, Identifiable {
    public var id: SiteID
    public var hostnames: [String]
    public var settings: SiteSettings
    public var status: SiteStatus
    public var created: Date

    public init(id: SiteID, hostnames: [String], settings: SiteSettings, status: SiteStatus = .active, created: Date) {
        self.id = id
        self.hostnames = hostnames
        self.settings = settings
        self.status = status
        self.created = created
    }
}

/// Hostname normalisation and validation.
public enum Hostname {
    /// Lowercases `value`, strips a port and a trailing dot; nil if it is not a valid DNS name.
    /// One pass over the bytes: every request's Host header goes through here (up to three
    /// times for an uncached page).
    public static func normalize(_ value: some StringProtocol) -> String? {
        let dot = UInt8(ascii: "."), dash = UInt8(ascii: "-")
        var host = Array(value.utf8)
        if host.first == UInt8(ascii: "[") { return nil }  // IPv6 literals never name a site
        if let colon = host.lastIndex(of: UInt8(ascii: ":")) {
            let port = host[(colon + 1)...]
            guard !port.isEmpty, port.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            host.removeSubrange(colon...)
        }
        if host.last == dot { host.removeLast() }
        guard !host.isEmpty, host.count <= 253 else { return nil }
        var labelStart = 0
        for index in 0...host.count {
            if index == host.count || host[index] == dot {
                let length = index - labelStart
                guard length > 0, length <= 63, host[labelStart] != dash, host[index - 1] != dash else { return nil }
                labelStart = index + 1
                continue
            }
            var byte = host[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                byte += 32
                host[index] = byte
            }
            let ok = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == dash
            guard ok else { return nil }
        }
        return String(decoding: host, as: UTF8.self)
    }
}

/// A platform account. Passwords are only ever stored as bcrypt hashes.
public struct User: Sendable, Codable, Equatable, Identifiable {
    public var id: UserID
    public var username: String
    public var displayName: String
    public var email: String
    public var passwordHash: String
    public var isPlatformAdmin: Bool
    public var created: Date

    public init(id: UserID, username: String, displayName: String, email: String = "", passwordHash: String, isPlatformAdmin: Bool, created: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.email = email
        self.passwordHash = passwordHash
        self.isPlatformAdmin = isPlatformAdmin
        self.created = created
    }

    /// Returns nil for a valid username (3–64 of a-z, 0-9, `.`, `_`, `-`, `@`), or the reason.
    public static func problem(withUsername name: String) -> String? {
        if name.utf8.count < 3 { return "must be at least 3 characters" }
        if name.utf8.count > 64 { return "must be at most 64 characters" }
        for byte in name.utf8 {
            let ok = (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
            if !ok { return "may contain only lowercase letters, digits and . _ - @" }
        }
        return nil
    }
}
