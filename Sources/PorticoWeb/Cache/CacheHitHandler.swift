import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import PorticoCache
import PorticoCore
import Synchronization

/// Answers fresh cache hits inside the connection's channel pipeline, before routing.
///
/// A cache hit needs no routing, no middleware and no task: the response head and body are
/// prebuilt. Serving it here, on the event loop, costs a dictionary lookup and one write, which
/// is what lets a node serve cached pages at close to a static web server's rate. Anything
/// else (a miss, a logged-in user, a non-GET, a request while an earlier one on the same
/// connection is still being answered) passes through untouched to Hummingbird.
final class CacheHitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let cache: ResponseCache
    let directory: SiteDirectory
    let cluster: ClusterSync?
    let enabled: Bool
    /// Hits answered here are counted and get their access log line here too (Hummingbird
    /// never sees them).
    let accessLog: AccessLog
    let metrics: PorticoMetrics
    /// The node's clock: freshness is judged by the same clock entries were stored with.
    let clock: any PorticoClock

    /// Requests passed on to Hummingbird whose response has not ended yet: a hit must not
    /// overtake them on a pipelined connection.
    private var outstanding = 0
    /// The hit being answered: the request's head has come, its end has not.
    private var pendingHit: Hit?
    /// Whether the current request is passed on.
    private var forwarding = false

    /// A hit being answered, and what its access log line needs.
    private struct Hit {
        var entry: CachedResponse
        var isHead: Bool
        var notModified: Bool
        var site: SiteID
        var method: HTTPRequest.Method
        var target: String
        var started: UInt64
    }

    init(cache: ResponseCache, directory: SiteDirectory, cluster: ClusterSync?, enabled: Bool, accessLog: AccessLog, metrics: PorticoMetrics, clock: any PorticoClock) {
        self.clock = clock
        self.cache = cache
        self.directory = directory
        self.cluster = cluster
        self.enabled = enabled
        self.accessLog = accessLog
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if outstanding == 0, let hit = lookup(request) {
                pendingHit = hit
                forwarding = false
                return
            }
            forwarding = true
            outstanding += 1
            context.fireChannelRead(data)
        case .body:
            if forwarding { context.fireChannelRead(data) }
        case .end:
            if forwarding {
                context.fireChannelRead(data)
            } else if let hit = pendingHit {
                pendingHit = nil
                answer(hit, context: context)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }

    /// The cached entry for a request that may be answered from the cache, or nil.
    private func lookup(_ request: HTTPRequest) -> Hit? {
        guard enabled, request.method == .get || request.method == .head, let rawPath = request.path else { return nil }
        let started = NIODeadline.now().uptimeNanoseconds
        if let cookie = request.headerFields[.cookie], cookie.contains("portico_session=") { return nil }
        if request.headerFields[.connection]?.lowercased() == "close" { return nil }
        let pathEnd = rawPath.firstIndex(of: "?") ?? rawPath.endIndex
        let path = String(rawPath[..<pathEnd])
        let query = pathEnd < rawPath.endIndex ? String(rawPath[rawPath.index(after: pathEnd)...]) : ""
        guard CacheMiddleware.isCacheable(path) else { return nil }
        cluster?.synchronize()
        let site: Site?
        if path.hasPrefix("/_site/") {
            let id = path.dropFirst("/_site/".count).prefix { $0 != "/" }
            site = (try? SiteID(String(id))).flatMap { directory.site($0) }
        } else {
            site = Hostname.normalize(request.authority ?? "").flatMap { directory.site(forHost: $0) }
        }
        guard let site, site.status == .active else { return nil }
        guard case .fresh(let entry) = cache.lookup(CacheKey(site: site.id, path: path, query: query), now: clock.now()) else { return nil }
        cache.statistics.add(hits: 1)
        let notModified = request.headerFields[.ifNoneMatch].map { $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == entry.etag } } ?? false
        let wantsGzip = CacheMiddleware.acceptsGzip(request.headerFields[.acceptEncoding])
        var chosen = entry
        if wantsGzip, let gzip = entry.gzipBody {
            chosen.body = gzip
            chosen.headers.append(("Content-Encoding", "gzip"))
        }
        if entry.gzipBody != nil { chosen.headers.append(("Vary", "Accept-Encoding")) }
        return Hit(entry: chosen, isHead: request.method == .head, notModified: notModified, site: site.id,
                   method: request.method, target: rawPath, started: started)
    }

    private func answer(_ hit: Hit, context: ChannelHandlerContext) {
        var fields = HTTPFields()
        for header in hit.entry.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        fields[.eTag] = hit.entry.etag
        fields[CacheMiddleware.xCache] = "HIT"
        fields[.age] = String(max(0, Int(clock.now().timeIntervalSince(hit.entry.storedAt))))
        fields[.date] = HTTPDate.now()
        fields[.server] = "Portico"
        let status: HTTPResponse.Status = hit.notModified ? .notModified : HTTPResponse.Status(code: hit.entry.status)
        if !hit.notModified { fields[.contentLength] = String(hit.entry.body.readableBytes) }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        if !hit.isHead && !hit.notModified {
            context.write(wrapOutboundOut(.body(hit.entry.body)), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let elapsed = NIODeadline.now().uptimeNanoseconds &- hit.started
        metrics.record(RequestKind(target: hit.target), status: Int(status.code), nanoseconds: elapsed)
        if accessLog.isEnabled {
            accessLog.record(AccessLogEntry(
                requestID: accessLog.makeRequestID(), site: hit.site.rawValue, method: hit.method.rawValue, target: hit.target,
                status: Int(status.code), nanoseconds: elapsed, cache: .hit, user: nil
            ))
        }
    }
}

/// The HTTP `Date` header, formatted once per second.
enum HTTPDate {
    private static let cached = Mutex<(second: Int, text: String)>((0, ""))

    static func now() -> String {
        let second = Int(Date().timeIntervalSince1970)
        return cached.withLock { value in
            if value.second != second { value = (second, Formatting.http(Date(timeIntervalSince1970: TimeInterval(second)))) }
            return value.text
        }
    }
}
