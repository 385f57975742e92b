import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore

/// `/_login` and `/_logout`. The login form is protected against CSRF with a double-submit
/// cookie (there is no session yet); logout with the session's token.
///
/// While the `login` switch is off (an editing freeze) the form says so, and only platform
/// administrators get a session; the others get the notice with 503.
struct LoginController: Sendable {
    let sessions: SessionService
    let views: EditorViews
    let switchboard: FeatureSwitchboard

    /// The notice shown on the form while logging in is restricted, else nil.
    var freezeNotice: String? { switchboard.isOn(.login) ? nil : FeatureFlag.login.notice }

    func form(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        if context.user != nil { return EditorViews.redirect(context.basePath + "/_edit/") }
        let token = request.cookies[SessionCookie.loginCSRFName]?.value ?? SessionService.randomToken()
        var values = views.base(site: site, context: context, title: "Log in")
        values["csrf"] = token
        values["next"] = Self.safeNext(request.uri.queryParameters.get("next"), context: context)
        values["notice"] = freezeNotice
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
        let administratorsOnly = !switchboard.isOn(.login)
        switch try await sessions.login(username: username, password: form["password"] ?? "", clientAddress: context.clientAddress, administratorsOnly: administratorsOnly) {
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
        case .administratorsOnly:
            // Right password, but logging in is switched off for non-administrators.
            var response = refusal(FeatureFlag.login.notice, status: .serviceUnavailable, withNotice: false)
            response.headers[.retryAfter] = ErrorPages.switchedOffRetryAfter
            return response
        }

        /// The login form again, with what was typed and why it was refused.
        func refusal(_ message: String, status: HTTPResponse.Status, withNotice: Bool = true) -> Response {
            var values = views.base(site: site, context: context, title: "Log in")
            values["csrf"] = expected
            values["next"] = next
            values["username"] = username
            values["error"] = message
            if withNotice { values["notice"] = freezeNotice }
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
