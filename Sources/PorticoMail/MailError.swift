/// Why reading or parsing mail failed.
///
/// One small, `Equatable` error type so callers (the importer, tests) can report
/// a bad file or a bad message and carry on with the next one.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with a "From " line, so it is not an mbox file. Carries the path.
    case notAnMbox(String)
    /// The file could not be opened or read. Carries the path and the reason.
    case unreadable(String)
    /// The bytes are not a mail message. Carries a short reason.
    case malformed(String)

    public var description: String {
        switch self {
        case .notAnMbox(let path):
            return "not an mbox file (it does not start with a \"From \" line): \(path)"
        case .unreadable(let reason):
            return "cannot read mail file: \(reason)"
        case .malformed(let reason):
            return "malformed mail message: \(reason)"
        }
    }
}
