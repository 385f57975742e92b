import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore

/// Cross-site request forgery protection for every state-changing browser request.
///
/// Two checks, both required: the form's `_csrf` field (or an `X-CSRF-Token` header) must equal
/// the session's token, compared in constant time; and when the browser says where the
/// request came from (`Origin`, or `Sec-Fetch-Site`), it must be this same site.
enum CSRF {
    static let fieldName = "_csrf"
    static let headerName = HTTPField.Name("X-CSRF-Token")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let origin = HTTPField.Name("Origin")!

    /// Throws `.forbidden` unless the request carries the expected token and comes from this site.
    static func verify(_ request: Request, form: FormData, expected: String, context: PorticoRequestContext) throws {
        let sent = form[fieldName] ?? request.headers[headerName] ?? ""
        guard SessionService.constantTimeEqual(sent, expected) else {
            throw PorticoError.forbidden("the form has expired or did not come from this site; reload the page and try again")
        }
        try verifyOrigin(request, context: context)
    }

    static func verifyOrigin(_ request: Request, context: PorticoRequestContext) throws {
        if let site = request.headers[secFetchSite], site != "same-origin", site != "none" {
            throw PorticoError.forbidden("cross-site requests are not accepted")
        }
        if let origin = request.headers[origin], origin != "null", !context.origin.isEmpty {
            let expectedHost = context.origin.split(separator: "/").last.map(String.init) ?? ""
            let sentHost = origin.split(separator: "/").last.map(String.init) ?? ""
            if sentHost.lowercased() != expectedHost.lowercased() {
                throw PorticoError.forbidden("cross-site requests are not accepted")
            }
        }
    }
}
