import HTTPTypes
import PorticoCore
import PorticoLifecycle

/// How a failed platform-admin action is shown on its own page: a status and a sentence for the
/// administrator, so the form stays on screen with what was typed.
///
/// Statuses come from the errors' own mapping (`PorticoError.httpStatus`, `ArchiveError.httpStatus`),
/// except that a form's invalid input is 422, as on every editor form that comes back.
/// A failure on the server's side (disk full, an unwritable backup folder, anything unforeseen)
/// is a 503 with a generic sentence: the detail, which may name server paths, goes to the log,
/// and the action can be tried again once the operator has looked. A 500 would mean a bug.
struct AdminFailure: Error, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String
    /// Whether the server, not the request, is to blame (log it as an error).
    let isServerSide: Bool

    init(_ error: any Error) {
        switch error {
        case let failure as AdminFailure:
            self = failure
        case let error as ArchiveError:
            self.init(status: error.httpStatus, message: error.publicMessage, isServerSide: false)
        case FormError.tooLarge(let limit):
            self.init(status: .contentTooLarge, message: "The upload is too large: at most \(Formatting.size(Int64(limit))) is accepted.", isServerSide: false)
        case let error as PorticoError:
            switch error {
            case .storage, .siteUnavailable:
                self.init(status: .serviceUnavailable, message: Self.serverSide, isServerSide: true)
            case .validation(let problems):
                self.init(status: .unprocessableContent, message: Self.sentence(problems.map(\.description).joined(separator: "; ")), isServerSide: false)
            case .invalid:
                self.init(status: .unprocessableContent, message: Self.sentence(error.description), isServerSide: false)
            default:
                self.init(status: error.httpStatus, message: Self.sentence(error.description), isServerSide: false)
            }
        default:
            self.init(status: .serviceUnavailable, message: Self.serverSide, isServerSide: true)
        }
    }

    init(status: HTTPResponse.Status, message: String, isServerSide: Bool = false) {
        self.status = status
        self.message = message
        self.isServerSide = isServerSide
    }

    var description: String { message }

    static let serverSide = "This could not be done on the server; the server log says why. Try again once the cause is fixed."

    /// "hostname x.test already exists" → "Hostname x.test already exists."
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let body = first.uppercased() + text.dropFirst()
        return body.hasSuffix(".") ? body : body + "."
    }
}
