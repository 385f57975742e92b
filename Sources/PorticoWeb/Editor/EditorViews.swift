import Foundation
import Hummingbird
import HTTPTypes
import PorticoCore

/// Rendering helpers shared by the editor pages. Editor pages are never cached by anyone.
struct EditorViews: Sendable {
    let theme: Theme

    func base(site: Site, context: PorticoRequestContext, title: String) -> [String: Any] {
        var values: [String: Any] = [
            "pageTitle": title,
            "site": ["name": site.settings.name],
            "accent": site.settings.accentColor,
            "css": theme.stylesheetPath,
            "base": context.basePath,
        ]
        if let user = context.user {
            values["user"] = ["name": user.displayName]
        }
        if let session = context.session { values["csrf"] = session.csrfToken }
        return values
    }

    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        PageView.htmlResponse(theme.render(template, values), status: status, cacheControl: "private, no-store")
    }

    /// 303 See Other: after a POST, the browser fetches the target with GET.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "private, no-store"])
    }

    /// Fixed feedback texts, chosen by a code in the query string (never free text from a URL).
    static func flash(_ code: String?, count: Int?) -> String? {
        let n = count ?? 1
        let items = n == 1 ? "1 item" : "\(n) items"
        switch code {
        case "created": return "Created."
        case "saved": return "Saved."
        case "deleted": return "Deleted \(items)."
        case "published": return "Published \(items)."
        case "moved": return "Moved."
        case "movedto": return "Moved \(items)."
        case "copied": return "Copied \(items)."
        case "reverted": return "Reverted: the earlier version is now the current one."
        case "shared": return "Role given."
        case "unshared": return "Role removed."
        case "submit": return Transition.submit.doneMessage + "."
        case "publish": return Transition.publish.doneMessage + "."
        case "reject": return Transition.reject.doneMessage + "."
        case "retract": return Transition.retract.doneMessage + "."
        default: return nil
        }
    }
}
