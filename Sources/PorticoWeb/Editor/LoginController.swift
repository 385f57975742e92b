import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore

/// `/_login` and `/_logout`. The login form is protected against CSRF with a double-submit
/// cookie (there is no session yet); logout with the session's token.
struct LoginController: Sendable {
    let sessions: SessionService
    let views: EditorViews

    func form(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        if context.user != nil { return EditorViews.redirect(context.basePath + "/_edit/") }
        let token = request.cookies[SessionCookie.loginCSRFName]?.value ?? SessionService.randomToken()
        var values = views.base(site: site, context: context, title: "Log in")
        values["csrf"] = token
        values["next"] = Self.safeNext(request.uri.queryParameters.get("next"), context: context)
        var response = views.page("login", values)
        response.setCookie(Cookie(name: SessionCookie.loginCSRFName, value: token, path: "/", secure: sessions.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func submit(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        let form = try await FormData.read(request, limit: FormData.maximumFormSize)
        let expected = request.cookies[SessionCookie.loginCSRFName]?.value ?? ""
        try CSRF.verify(request, form: form, expected: expected, context: context)
        let username = form["username"] ?? ""
        let next = Self.safeNext(form["next"], context: context)
        switch try await sessions.login(username: username, password: form["password"] ?? "", clientAddress: context.clientAddress) {
        case .success(let token, _, _):
            var response = EditorViews.redirect(next)
            response.setCookie(SessionCookie.make(token: token, secure: sessions.secureCookies))
            return response
        case .wrongCredentials:
            return refusal("The username or password is not right.", status: .unauthorized)
        case .throttled(let wait):
            var response = refusal("Too many failed attempts. Please wait \(Int(wait / 60) + 1) minutes and try again.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            return response
        }

        /// The login form again, with what was typed and why it was refused.
        func refusal(_ message: String, status: HTTPResponse.Status) -> Response {
            var values = views.base(site: site, context: context, title: "Log in")
            values["csrf"] = expected
            values["next"] = next
            values["username"] = username
            values["error"] = message
            return views.page("login", values, status: status)
        }
    }

    func logout(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let form = try await FormData.read(request, limit: FormData.maximumFormSize)
        if let session = context.session {
            try CSRF.verify(request, form: form, expected: session.csrfToken, context: context)
            if let token = request.cookies[SessionCookie.name]?.value {
                if form["everywhere"] == "1", let user = context.user {
                    try await sessions.logoutEverywhere(user.id)
                } else {
                    try await sessions.logout(token: token)
                }
            }
        }
        var response = EditorViews.redirect(context.basePath + "/")
        response.setCookie(SessionCookie.expired(secure: sessions.secureCookies))
        return response
    }

    /// Only local paths of this site may be a redirect target after login.
    static func safeNext(_ value: String?, context: PorticoRequestContext) -> String {
        let fallback = context.basePath + "/_edit/"
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"),
              !value.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return fallback }
        return value
    }
}
