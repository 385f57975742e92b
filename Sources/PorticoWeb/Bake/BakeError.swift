public import PorticoCore

/// Why a bake stopped. A bake that throws leaves the target folder as it was.
public enum BakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No site has this id.
    case siteNotFound(SiteID)
    /// The site is disabled: it serves only its maintenance page, so there is nothing to bake.
    case siteDisabled(SiteID)
    /// The public address given for the site is not an absolute http(s) URL without query.
    case invalidBaseURL(String)
    /// The target exists and is not a folder.
    case targetNotAFolder(String)
    /// The target folder holds files, and not a previous bake (no `.portico-bake` marker):
    /// a bake replaces the whole folder, so it refuses to throw away someone else's files.
    case targetNotABake(String)
    /// The server answered a path with an error status the bake cannot stand in for.
    case renderFailed(path: String, status: Int)
    /// A file could not be written, read or moved.
    case fileSystem(path: String, reason: String)
    /// The task was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .siteNotFound(let id): return "site \(id) not found"
        case .siteDisabled(let id): return "site \(id) is disabled: enable it before baking"
        case .invalidBaseURL(let url): return "base URL \(url) must be an absolute http or https URL without query or fragment"
        case .targetNotAFolder(let path): return "\(path) exists and is not a folder"
        case .targetNotABake(let path): return "\(path) is neither empty nor a previous bake (no .portico-bake file): refusing to replace it"
        case .renderFailed(let path, let status): return "rendering \(path) failed with status \(status)"
        case .fileSystem(let path, let reason): return "\(path): \(reason)"
        case .cancelled: return "the bake was cancelled"
        }
    }
}
