import Hummingbird
import HTTPTypes
import PorticoCore

extension FeatureFlag {
    /// The heading a visitor sees while the feature is off.
    var noticeHeading: String {
        switch self {
        case .search: return "Search is switched off"
        case .login: return "Logging in is switched off"
        case .feeds: return "Feeds are switched off"
        case .uploads: return "Uploads are switched off"
        }
    }

    /// What a visitor or editor is told while the feature is off: calm, and what still works.
    var notice: String {
        switch self {
        case .search: return "Search is switched off for now. Please try again later, or browse the site from its home page."
        case .login: return "Logging in is switched off for now: only platform administrators can log in. Please try again later."
        case .feeds: return "Feeds are switched off for now. Please try again later."
        case .uploads: return "Uploading images and files is switched off for now. Editing text still works."
        }
    }
}

/// The page for a switched-off feature: the site's theme and a plain notice, not an error
/// page. 503 with `Retry-After`, so that crawlers and feed readers come back later, and never
/// stored by any cache (a 5xx is never kept by the response cache either).
extension ErrorPages {
    static let switchedOffRetryAfter = "300"

    func switchedOff(_ flag: FeatureFlag, context: PorticoRequestContext) -> Response {
        var response: Response
        if let site = context.site {
            let view = PageView(site: site, context: context, theme: theme)
            var values = view.common(title: flag.noticeHeading, navigation: [], current: nil, ancestors: [])
            values["hasNav"] = false
            values["heading"] = flag.noticeHeading
            values["message"] = flag.notice
            response = PageView.htmlResponse(theme.render("switched-off", values), status: .serviceUnavailable, cacheControl: CachePolicy.error)
        } else {
            response = platform(.serviceUnavailable, message: flag.notice)
        }
        response.headers[.retryAfter] = Self.switchedOffRetryAfter
        response.headers[.cacheControl] = CachePolicy.error
        return response
    }
}
