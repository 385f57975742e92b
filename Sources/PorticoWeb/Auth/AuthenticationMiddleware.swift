import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore

/// Step 3 of the request path: who is asking. Reads the session cookie, resumes the
/// server-side session, and sets the principal. Every response to a request that carried a
/// session is marked `private, no-store`, so no shared cache ever keeps a logged-in page.
///
/// While the `login` switch is off (an editing freeze), the sessions of everyone but platform
/// administrators count as anonymous. They are kept, cookie included, so that editors are
/// simply logged in again when the switch is back on.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = PorticoRequestContext
    let sessions: SessionService
    let switchboard: FeatureSwitchboard

    func handle(_ request: Request, context: PorticoRequestContext, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[SessionCookie.name]?.value, !token.isEmpty else {
            return try await next(request, context)
        }
        var context = context
        var frozen = false
        if let (session, user) = try await sessions.resume(token: token) {
            if user.isPlatformAdmin || switchboard.isOn(.login) {
                context.session = session
                context.user = user
                context.principal = .user(user.id, isPlatformAdmin: user.isPlatformAdmin)
            } else {
                frozen = true
            }
        }
        var response = try await next(request, context)
        response.headers[.cacheControl] = "private, no-store"
        if context.session == nil && !frozen {
            // An unknown or expired token: forget it.
            response.setCookie(SessionCookie.expired(secure: sessions.secureCookies))
        }
        return response
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when Portico is served over TLS.
enum SessionCookie {
    static let name = "portico_session"
    static let loginCSRFName = "portico_login_csrf"

    static func make(token: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func expired(secure: Bool) -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

extension SessionService {
    /// Whether cookies get the Secure flag (set when Portico is configured for TLS).
    var secureCookies: Bool { ProcessInfo.processInfo.environment["PORTICO_SECURE_COOKIES"] == "1" }
}
