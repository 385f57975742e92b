import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import PorticoCore
import Synchronization

/// Step 0 of the request path: once the response is known, counts the request in the metrics
/// and writes its access log line, from one measurement.
///
/// It runs first, so it sees the request as the client sent it (before `/_site/<id>/` is
/// stripped and HEAD becomes GET) and the final status, and it times everything. The site and
/// the user are only known further in; `PorticoResponder` writes them into a `RequestNote`.
struct AccessLogMiddleware: Sendable {
    let log: AccessLog
    let metrics: PorticoMetrics

    /// A note for this request, or nil when nothing is logged (no allocation then).
    func makeNote() -> RequestNote? {
        log.isEnabled ? RequestNote() : nil
    }

    func handle(_ request: Request, context: PorticoRequestContext, note: RequestNote?, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> Response {
        let started = NIODeadline.now().uptimeNanoseconds
        do {
            let response = try await next(request, context)
            record(request, context: context, note: note, status: Int(response.status.code), xCache: response.headers[CacheMiddleware.xCache], started: started)
            return response
        } catch {
            // Hummingbird turns the error into a response; count and log the status it will send.
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            record(request, context: context, note: note, status: status, xCache: nil, started: started)
            throw error
        }
    }

    private func record(_ request: Request, context: PorticoRequestContext, note: RequestNote?, status: Int, xCache: String?, started: UInt64) {
        let elapsed = NIODeadline.now().uptimeNanoseconds &- started
        let target = request.head.path ?? ""
        metrics.record(RequestKind(target: target), status: status, nanoseconds: elapsed)
        guard log.isEnabled else { return }
        let known: (site: SiteID?, user: UserID?) = note?.value ?? (nil, nil)
        // Hummingbird's request id when it made one (it is in the request's logger metadata).
        let id = context.logger[metadataKey: "hb.request.id"].map { "\($0)" } ?? log.makeRequestID()
        log.record(AccessLogEntry(
            requestID: id, site: known.site?.rawValue, method: request.method.rawValue, target: target,
            status: status, nanoseconds: elapsed, cache: AccessLogEntry.CacheResult(xCache: xCache), user: known.user?.rawValue
        ))
    }
}

/// What inner steps of the request path learn about a request and the access log wants:
/// the site chosen and the logged-in user. The context is passed down by value, so the
/// outermost step cannot see it afterwards; this shared note carries it back out.
final class RequestNote: Sendable {
    private let state = Mutex<(site: SiteID?, user: UserID?)>((nil, nil))

    func identify(site: SiteID?, user: UserID?) {
        state.withLock { $0 = (site, user) }
    }

    var value: (site: SiteID?, user: UserID?) { state.withLock { $0 } }
}
