import PorticoCache
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import PorticoCore
import PorticoLifecycle

/// Renders error responses: themed per site when the site is known, the plain platform page
/// otherwise (which names no site, so probing hosts reveals nothing).
struct ErrorPages: Sendable {
    let theme: Theme

    func heading(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "Bad request"
        case 403: return "Not allowed"
        case 404: return "Page not found"
        case 405: return "Method not allowed"
        case 409: return "Conflict"
        case 413: return "Too large"
        case 503: return "Temporarily unavailable"
        default: return status.code >= 500 ? "Something went wrong" : "Request not accepted"
        }
    }

    func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: return PorticoError.notFound("").publicMessage
        case 503: return PorticoError.siteUnavailable(site: "", reason: "").publicMessage
        case 400: return "The request could not be understood."
        default: return status.code >= 500 ? PorticoError.storage("").publicMessage : "The request was not accepted."
        }
    }

    func platform(_ status: HTTPResponse.Status, message: String? = nil) -> Response {
        let html = theme.render("platform-error", [
            "status": String(status.code), "heading": heading(status), "message": message ?? defaultMessage(status),
            "css": theme.stylesheetPath,
        ])
        return PageView.htmlResponse(html, status: status, cacheControl: "no-store")
    }

    func site(_ status: HTTPResponse.Status, message: String? = nil, context: PorticoRequestContext) -> Response {
        guard let site = context.site else { return platform(status, message: message) }
        let view = PageView(site: site, context: context, theme: theme)
        var values = view.common(title: heading(status), navigation: [], current: nil, ancestors: [])
        values["hasNav"] = false
        values["status"] = String(status.code)
        values["heading"] = heading(status)
        values["message"] = message ?? defaultMessage(status)
        var response = PageView.htmlResponse(theme.render("error", values), status: status, cacheControl: "no-store")
        if status == .serviceUnavailable { response.headers[.retryAfter] = "30" }
        return response
    }

    /// The panic page: served from memory when the node is saturated, instead of a pile-up.
    func panic(context: PorticoRequestContext) -> Response {
        var response = site(.serviceUnavailable, message: "The site is very busy right now. Please try again in a few seconds.", context: context)
        response.headers[.retryAfter] = "5"
        // Tells the access log (and whoever looks at the headers) that this was shed.
        response.headers[CacheMiddleware.xCache] = "SHED"
        return response
    }

    func maintenance(context: PorticoRequestContext) -> Response {
        site(.serviceUnavailable, message: "This site is closed for maintenance. Please come back later.", context: context)
    }
}

/// Maps every error escaping a route to a response, in one place. Domain errors use
/// `PorticoError.httpStatus`; anything unexpected is logged and becomes a 500 page that
/// reveals nothing internal.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = PorticoRequestContext
    let pages: ErrorPages

    func handle(_ request: Request, context: PorticoRequestContext, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch PorticoError.switchedOff(let flag) {
            // Not a failure: the feature's own notice page (see SwitchedOffPage.swift).
            return pages.switchedOff(flag, context: context)
        } catch let error as PorticoError {
            switch error {
            case .storage:
                context.logger.error("storage error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            case .siteUnavailable:
                break  // the store logs a broken site once, not on every request
            default:
                break
            }
            let message: String? = error.httpStatus == .notFound ? nil : error.publicMessage
            return pages.site(error.httpStatus, message: message, context: context)
        } catch let error as ArchiveError {
            return pages.site(error.httpStatus, message: error.publicMessage, context: context)
        } catch FormError.tooLarge(let limit) {
            return pages.site(.contentTooLarge, message: "The upload is too large: at most \(Formatting.size(Int64(limit))) is accepted.", context: context)
        } catch let error as any HTTPResponseError {
            return pages.site(error.status, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return pages.site(.internalServerError, context: context)
        }
    }
}
