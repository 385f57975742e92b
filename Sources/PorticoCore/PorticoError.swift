/// One field that failed validation, with a message fit to show next to the field.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// Every error the domain, the store and the services throw. The web layer maps it to an HTTP
/// status in one place, and the CLI maps it to a one-line message in one place.
public enum PorticoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The thing does not exist, or the caller may not know that it exists.
    case notFound(String)
    /// One value is invalid.
    case invalid(field: String, reason: String)
    /// Several fields failed validation (forms report them all at once).
    case validation([FieldError])
    /// The request itself is malformed (bad path, bad header).
    case badRequest(String)
    /// The thing exists already (site id taken, username taken, slug taken).
    case alreadyExists(String)
    /// The caller started from an outdated version of the thing.
    case conflict(String)
    /// The caller is known but not allowed to do this.
    case forbidden(String)
    /// The site's storage cannot be used right now (missing or corrupt database).
    case siteUnavailable(site: String, reason: String)
    /// The storage failed for another reason (disk full, I/O error).
    case storage(String)
    /// An operator switched this feature off for now (see `FeatureFlag`); not a failure.
    case switchedOff(FeatureFlag)

    public var description: String {
        switch self {
        case .notFound(let what): return "\(what) not found"
        case .invalid(let field, let reason): return "\(field) \(reason)"
        case .validation(let errors): return errors.map(\.description).joined(separator: "; ")
        case .badRequest(let reason): return "bad request: \(reason)"
        case .alreadyExists(let what): return "\(what) already exists"
        case .conflict(let reason): return "conflict: \(reason)"
        case .forbidden(let reason): return "forbidden: \(reason)"
        case .siteUnavailable(let site, let reason): return "site \(site) is unavailable: \(reason)"
        case .storage(let reason): return "storage error: \(reason)"
        case .switchedOff(let flag): return "\(flag.name) is switched off"
        }
    }
}
