import Foundation

/// A feature operators can switch off at runtime, without a restart, when it misbehaves
/// (`portico flags set feeds off`, or the platform administrators' page `/_edit/flags`).
/// Every feature is on unless someone switched it off.
public enum FeatureFlag: String, Sendable, CaseIterable, Hashable {
    /// Searching a site (`/_search`).
    case search
    /// Logging in for everyone except platform administrators. Off is an editing freeze.
    case login
    /// The Atom feed of every site (`feed.xml`).
    case feeds
    /// Uploading images and files in the editor.
    case uploads

    /// The name operators type and the store keeps.
    public var name: String { rawValue }

    /// What switching it off does, in one sentence, for `portico flags list` and the admin page.
    public var description: String {
        switch self {
        case .search: return "Searching a site's content at /_search."
        case .login: return "Logging in for everyone except platform administrators; off freezes editing (other users' sessions count as anonymous)."
        case .feeds: return "The news feed of every site (feed.xml)."
        case .uploads: return "Uploading images and files in the editor (site logos too); editing text still works."
        }
    }

    /// The flag with this name, ignoring case and surrounding spaces; nil when there is none.
    public init?(name: String) {
        self.init(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The valid names, for error messages ("search, login, feeds, uploads").
    public static var names: String { allCases.map(\.name).joined(separator: ", ") }
}

/// The state of every feature switch at one moment. A value: the web layer keeps a snapshot
/// and swaps it whole, so a request reads one consistent set without a store query.
public struct FeatureFlags: Sendable, Equatable {
    /// Who switched a flag last, and when.
    public struct Change: Sendable, Equatable {
        public var at: Date
        /// A username, or a note such as "command line (jane)".
        public var by: String

        public init(at: Date, by: String) {
            self.at = at
            self.by = by
        }
    }

    /// Flags without an entry are on: a new flag, or a fresh database, changes nothing.
    private var enabled: [FeatureFlag: Bool]
    public private(set) var changes: [FeatureFlag: Change]

    public init(enabled: [FeatureFlag: Bool] = [:], changes: [FeatureFlag: Change] = [:]) {
        self.enabled = enabled
        self.changes = changes
    }

    /// Every feature on: the state of a fresh platform.
    public static let allOn = FeatureFlags()

    public func isOn(_ flag: FeatureFlag) -> Bool { enabled[flag] ?? true }

    /// The flags that are off, in declaration order.
    public var switchedOff: [FeatureFlag] { FeatureFlag.allCases.filter { !isOn($0) } }

    public mutating func set(_ flag: FeatureFlag, on: Bool, change: Change? = nil) {
        enabled[flag] = on
        if let change { changes[flag] = change }
    }
}
