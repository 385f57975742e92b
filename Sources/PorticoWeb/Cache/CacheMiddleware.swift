import Crypto
import CompressNIO
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import PorticoCache
import PorticoCore

/// Step 4 of the request path: the shared response cache and render admission.
///
/// Anonymous GET and HEAD requests for a site's pages, listings, feeds and sitemap are served
/// from the cache when fresh. A miss is rendered once however many requests wait for it
/// (single flight), and stored with the dependencies the views recorded. Within the grace
/// window a stale entry is served while one request re-renders it, and kept if that render
/// fails. Renders are admitted through a `RenderGate`: anonymous requests beyond capacity wait
/// briefly and then get the panic page; logged-in editors have reserved slots.
struct CacheMiddleware: RouterMiddleware {
    typealias Context = PorticoRequestContext
    let cache: ResponseCache
    let flights: SingleFlight<CacheKey, CachedResponse>
    let gate: RenderGate
    let configuration: CacheConfiguration
    let schedule: ScheduleTracker
    let panic: @Sendable (PorticoRequestContext) -> Response
    let clock: any PorticoClock

    static let xCache = HTTPField.Name("X-Cache")!
    static let xkey = HTTPField.Name("xkey")!
    static let surrogateKey = HTTPField.Name("Surrogate-Key")!

    /// Paths that handle their own caching (blobs, theme, health) or are personal (editor).
    static func isCacheable(_ path: String) -> Bool {
        !(path.hasPrefix("/_blob/") || path.hasPrefix("/_theme/") || path.hasPrefix("/_edit") || path.hasPrefix("/_login")
            || path.hasPrefix("/_logout") || path.hasPrefix("/_health") || path.hasPrefix("/_monitor") || path == "/metrics")
    }

    func handle(_ request: Request, context: PorticoRequestContext, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> Response {
        let isAnonymous = context.principal == .anonymous && context.session == nil
        guard configuration.enabled, isAnonymous, request.method == .get, let site = context.site, Self.isCacheable(request.uri.path) else {
            return try await admitted(isEditor: !isAnonymous, context: context) { try await next(request, context) }
        }
        let key = CacheKey(site: site.id, path: context.basePath + request.uri.path, query: request.uri.query ?? "")
        let now = clock.now()
        switch cache.lookup(key, now: now) {
        case .fresh(let entry):
            cache.statistics.add(hits: 1)
            return Self.response(entry, for: request, result: "HIT", now: now)
        case .stale(let entry):
            // One request re-renders; everybody else gets the stale copy at once. If the
            // re-render fails, the stale copy is served and the failure logged.
            cache.statistics.add(stale: 1)
            if flights.isRunning(key) { return Self.response(entry, for: request, result: "STALE", now: now) }
            do {
                let (fresh, _) = try await flights.run(key) { try await render(key, request: request, context: context, next: next) }
                return Self.response(fresh, for: request, result: "MISS, REFRESHED", now: clock.now())
            } catch {
                context.logger.error("re-render failed, serving the stale copy", metadata: ["path": "\(key.path)", "error": "\(error)"])
                return Self.response(entry, for: request, result: "STALE", now: now)
            }
        case .miss:
            break
        }
        cache.statistics.add(misses: 1)
        do {
            let (entry, shared) = try await flights.run(key) {
                try await render(key, request: request, context: context, next: next)
            }
            if shared { cache.statistics.add(coalesced: 1) }
            return Self.response(entry, for: request, result: shared ? "MISS, SHARED" : "MISS", now: clock.now())
        } catch RenderRefused.shed {
            cache.statistics.add(shed: 1)
            return panic(context)
        } catch RenderRefused.uncacheable(let response) {
            return response
        } catch RenderRefused.failed(let response) {
            return response
        }
    }

    enum RenderRefused: Error {
        /// No render slot within the wait: serve the panic page.
        case shed
        /// The response must not be stored or shared (a personal page, an odd status).
        case uncacheable(Response)
        /// The render failed (a 5xx page): not stored; a stale copy wins over it.
        case failed(Response)
    }

    /// Renders once, under admission control, and stores the result if it may be cached.
    private func render(_ key: CacheKey, request: Request, context: PorticoRequestContext, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> CachedResponse {
        guard await gate.enter(isEditor: false) else { throw RenderRefused.shed }
        defer { gate.leave(isEditor: false) }
        var context = context
        let recorder = DependencyRecorder()
        context.dependencies = recorder
        let generation = cache.generation
        let started = clock.now()
        cache.statistics.add(renders: 1)
        if configuration.simulatedRenderTime > .zero { try await Task.sleep(for: configuration.simulatedRenderTime) }
        let response = try await next(request, context)
        let dependencies = recorder.all
        if response.status.code >= 500 { throw RenderRefused.failed(response) }
        guard [200, 301, 302, 404].contains(response.status.code), !dependencies.isEmpty,
              response.headers[.cacheControl].map({ !$0.contains("private") && !$0.contains("no-store") }) ?? true,
              response.headers[.setCookie] == nil else {
            throw RenderRefused.uncacheable(response)
        }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = collector.buffer
        var hardExpiry = await schedule.nextChange(site: key.site, after: started)
        if let shownUntil = recorder.expiresAt { hardExpiry = min(hardExpiry ?? shownUntil, shownUntil) }
        let entry = makeEntry(response, body: body, dependencies: dependencies, site: key.site, now: started, hardExpiry: hardExpiry)
        cache.store(key, entry, renderedSince: generation)
        return entry
    }

    private func makeEntry(_ response: Response, body: ByteBuffer, dependencies: Set<Dependency>, site: SiteID, now: Date, hardExpiry: Date?) -> CachedResponse {
        var headers: [(name: String, value: String)] = []
        for field in response.headers where field.name != .contentLength && field.name != .date && field.name != .setCookie {
            headers.append((field.name.canonicalName, field.value))
        }
        if configuration.surrogateKeys {
            let keys = dependencies.map { "\(site.rawValue)-\($0.key)" }.sorted().joined(separator: " ")
            headers.append(("xkey", keys))
            headers.append(("Surrogate-Key", keys))
        }
        let digest = SHA256.hash(data: Data(body.readableBytesView))
        let etag = "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        var gzip: ByteBuffer?
        let type = response.headers[.contentType] ?? ""
        if body.readableBytes > 512, type.hasPrefix("text/") || type.contains("xml") || type.contains("json") {
            var source = body
            if let compressed = try? source.compress(with: .gzip()), compressed.readableBytes < body.readableBytes {
                gzip = compressed
            }
        }
        var entry = CachedResponse(
            status: Int(response.status.code), headers: headers, body: body, gzipBody: gzip, etag: etag, dependencies: dependencies,
            storedAt: now, freshUntil: now.addingTimeInterval(configuration.freshFor),
            graceUntil: now.addingTimeInterval(configuration.freshFor + configuration.grace), hardExpiry: hardExpiry
        )
        entry.wireHeads = HitResponse.wireHeads(of: entry)
        return entry
    }

    /// Whether an `If-None-Match` header names `etag` (strongly or weakly, or `*`). Only for a
    /// 2xx entry: a redirect or a 404 is never answered with 304 (RFC 9110, 13.2.1).
    static func matches(ifNoneMatch header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            let tag = String(candidate).trimming(where: String.isHorizontalSpace)
            return tag == etag || tag == "W/" + etag || tag == "*"
        }
    }

    /// Builds the HTTP response for a cached entry: 304 when the client has it, gzip when the
    /// client accepts it.
    static func response(_ entry: CachedResponse, for request: Request, result: String, now: Date) -> Response {
        var headers = HTTPFields()
        for header in entry.headers {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        headers[.eTag] = entry.etag
        headers[xCache] = result
        headers[.age] = String(max(0, Int(now.timeIntervalSince(entry.storedAt))))
        if (200..<300).contains(entry.status), Self.matches(ifNoneMatch: request.headers[.ifNoneMatch], etag: entry.etag) {
            return Response(status: .notModified, headers: headers)
        }
        var body = entry.body
        if let gzip = entry.gzipBody {
            headers[.vary] = "Accept-Encoding"
            if acceptsGzip(request.headers[.acceptEncoding]) {
                headers[.contentEncoding] = "gzip"
                body = gzip
            }
        }
        return Response(status: HTTPResponse.Status(code: entry.status), headers: headers, body: .init(byteBuffer: body))
    }

    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";").map { String($0).trimming(where: String.isHorizontalSpace) }
            guard pieces.first == "gzip" || pieces.first == "*" else { continue }
            if pieces.dropFirst().contains(where: { $0 == "q=0" || $0 == "q=0.0" || $0 == "q=0.00" || $0 == "q=0.000" }) { return false }
            return true
        }
        return false
    }

    /// Runs a render that is not cached (editors, non-GET) under admission control.
    private func admitted(isEditor: Bool, context: PorticoRequestContext, _ work: () async throws -> Response) async throws -> Response {
        guard await gate.enter(isEditor: isEditor) else {
            cache.statistics.add(shed: 1)
            return panic(context)
        }
        defer { gate.leave(isEditor: isEditor) }
        return try await work()
    }
}

/// Collects a response body into one buffer, to store it.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var part = buffer
        self.buffer.writeBuffer(&part)
    }

    func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
        for part in buffers { try await write(part) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
