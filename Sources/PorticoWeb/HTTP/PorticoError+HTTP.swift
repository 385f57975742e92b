public import HTTPTypes
public import PorticoCore
public import PorticoLifecycle

/// The one place where domain errors become HTTP statuses (`PorticoError` here, `ArchiveError`
/// below; `AdminFailure` reuses both for the platform admin pages).
extension PorticoError {
    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .notFound: return .notFound
        case .invalid, .validation, .badRequest: return .badRequest
        case .alreadyExists, .conflict: return .conflict
        case .forbidden: return .forbidden
        case .siteUnavailable, .switchedOff: return .serviceUnavailable
        case .storage: return .internalServerError
        }
    }

    /// A message safe to show to the visitor (never internal paths or SQL).
    public var publicMessage: String {
        switch self {
        case .notFound: return "The page you asked for does not exist, or is not available to you."
        case .invalid, .validation: return description
        case .badRequest(let reason): return "The request could not be understood (\(reason))."
        case .alreadyExists, .conflict: return description
        case .forbidden: return "You are not allowed to do this."
        case .siteUnavailable: return "This site is temporarily unavailable. Please try again in a few minutes."
        case .storage: return "Something went wrong on our side. Please try again later."
        case .switchedOff(let flag): return flag.notice
        }
    }
}

/// An archive that cannot be imported is a problem with what was sent, not with the server.
/// Its description names entries inside the archive, never a path on the server.
extension ArchiveError {
    public var httpStatus: HTTPResponse.Status { .unprocessableContent }

    public var publicMessage: String { "The archive was not imported: \(description)." }
}
