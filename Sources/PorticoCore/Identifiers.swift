import Foundation

/// The identifier of a site: lowercase letters, digits and hyphens, starting with a letter,
/// at most 63 characters. It names the site's database folder, so it is validated strictly.
public struct SiteID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Validates `rawValue`; throws `PorticoError.invalid` with the reason when it is not a valid id.
    public init(_ rawValue: String) throws {
        guard let reason = SiteID.problem(with: rawValue) else {
            self.rawValue = rawValue
            return
        }
        throw PorticoError.invalid(field: "site id", reason: reason)
    }

    /// Returns nil for a valid id, or a sentence explaining what is wrong.
    public static func problem(with value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.utf8.count > 63 { return "must be at most 63 characters" }
        guard let first = value.unicodeScalars.first, ("a"..."z").contains(first) else {
            return "must start with a lowercase letter"
        }
        for scalar in value.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
            if !ok { return "may contain only lowercase letters, digits and hyphens" }
        }
        if value.hasSuffix("-") { return "must not end with a hyphen" }
        return nil
    }

    public var description: String { rawValue }
    public static func < (lhs: SiteID, rhs: SiteID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The stable identifier of an item. It never changes when the item is renamed or moved.
public struct ItemID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The identifier of a platform user account.
public struct UserID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
