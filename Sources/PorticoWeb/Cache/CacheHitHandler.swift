import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import PorticoCache
import PorticoCore
import Synchronization

/// Answers fresh cache hits right after the HTTP request decoder, before anything else.
///
/// A cache hit needs no routing, no middleware, no task and no header fields: the entry holds
/// its response head as bytes (`WireHeads`) and its body, so answering costs a dictionary
/// lookup, a short buffer for the lines that change (date, age) and one vectored write, which
/// goes straight to the socket from the response encoder's position. That is what lets a node
/// serve cached pages at close to a static web server's rate.
///
/// Anything else (a miss, a logged-in user, a non-GET, HTTP/1.0, `Connection: close`, a request
/// while an earlier one on the same connection is still being answered, a draining server)
/// passes through untouched to the HTTP pipeline and Hummingbird. Because hits never reach
/// Hummingbird, this handler also keeps the connection's idle timeout, which it sees all
/// traffic for.
final class CacheHitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the handler needs from the node; shared by all connections.
    struct Node: Sendable {
        let cache: ResponseCache
        let directory: SiteDirectory
        let cluster: ClusterSync?
        let enabled: Bool
        /// Hits answered here are counted and get their access log line here too.
        let accessLog: AccessLog
        let metrics: PorticoMetrics
        /// The node's clock: freshness is judged by the same clock entries were stored with.
        let clock: any PorticoClock
        /// An idle keep-alive connection is closed after this long; nil keeps it open.
        let idleTimeout: TimeAmount?
        let logger: Logger
    }

    let node: Node
    /// The response encoder's context: bytes written from there go straight to the socket.
    private var socket: ChannelHandlerContext?
    /// Requests passed on whose response has not ended yet: a hit must not overtake them on a
    /// pipelined connection.
    private var outstanding = 0
    /// The hit being answered: the request's head has come, its end has not.
    private var pendingHit: Hit?
    /// Whether the current request is passed on.
    private var forwarding = false
    /// Once the server drains, every request goes to the pipeline, which closes the connection.
    private var draining = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// The `Date` value, refreshed once a second per connection.
    private var date: (second: Int, text: String) = (-1, "")
    /// A read the pipeline asked for while the socket could not take more writes.
    private var heldRead = false

    /// A hit being answered, and what its access log line needs.
    private struct Hit {
        var head: ByteBuffer
        var body: ByteBuffer?
        var age: Int
        var status: Int
        var site: SiteID
        var method: HTTPMethod
        var target: String
        var started: UInt64
    }

    init(node: Node) {
        self.node = node
    }

    func handlerAdded(context: ChannelHandlerContext) {
        socket = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        if context.channel.isActive { scheduleIdleCheck(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        socket = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    /// Hits are written without waiting for the client to read them, so reading stops while
    /// the socket's send buffer is full: a client that pipelines requests and never reads
    /// cannot make the server queue responses without bound.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            heldRead = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if heldRead, context.channel.isWritable {
            heldRead = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent { draining = true }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            lastActivity = .now()
            if outstanding == 0, !draining, let hit = lookup(request) {
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
        if case .end = unwrapOutboundIn(data) {
            outstanding = max(0, outstanding - 1)
            lastActivity = .now()
        }
        context.write(data, promise: promise)
    }

    /// The hit for a request that may be answered from the cache, or nil.
    private func lookup(_ request: HTTPRequestHead) -> Hit? {
        guard node.enabled, socket != nil, request.method == .GET || request.method == .HEAD,
              request.version == .http1_1, request.isKeepAlive else { return nil }
        let started = NIODeadline.now().uptimeNanoseconds
        let headers = request.headers
        if headers["cookie"].contains(where: { $0.contains("portico_session=") }) { return nil }
        let target = request.uri
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        let path = String(target[..<pathEnd])
        let query = pathEnd < target.endIndex ? String(target[target.index(after: pathEnd)...]) : ""
        guard path.hasPrefix("/"), CacheMiddleware.isCacheable(path) else { return nil }
        node.cluster?.synchronize()
        let site: Site?
        if path.hasPrefix("/_site/") {
            let id = path.dropFirst("/_site/".count).prefix { $0 != "/" }
            site = (try? SiteID(String(id))).flatMap { node.directory.site($0) }
        } else {
            site = headers.first(name: "host").flatMap { Hostname.normalize($0) }.flatMap { node.directory.site(forHost: $0) }
        }
        guard let site, site.status == .active else { return nil }
        let now = node.clock.now()
        guard case .fresh(let entry) = node.cache.lookup(CacheKey(site: site.id, path: path, query: query), now: now),
              let heads = entry.wireHeads else { return nil }
        node.cache.statistics.add(hits: 1)
        let age = max(0, Int(now.timeIntervalSince(entry.storedAt)))
        var hit = Hit(head: heads.identity, body: entry.body, age: age, status: entry.status, site: site.id,
                      method: request.method, target: target, started: started)
        if (200..<300).contains(entry.status), CacheMiddleware.matches(ifNoneMatch: headers.first(name: "if-none-match"), etag: entry.etag) {
            hit.head = heads.notModified
            hit.body = nil
            hit.status = 304
            return hit
        }
        if let gzipHead = heads.gzip, let gzipBody = entry.gzipBody, CacheMiddleware.acceptsGzip(headers.first(name: "accept-encoding")) {
            hit.head = gzipHead
            hit.body = gzipBody
        }
        if request.method == .HEAD { hit.body = nil }
        return hit
    }

    private func answer(_ hit: Hit, context: ChannelHandlerContext) {
        guard let socket else { return }
        var head = context.channel.allocator.buffer(capacity: hit.head.readableBytes + 96)
        head.writeImmutableBuffer(hit.head)
        head.writeStaticString("X-Cache: HIT\r\nServer: Portico\r\nDate: ")
        head.writeString(currentDate())
        head.writeStaticString("\r\nAge: ")
        head.writeString(String(hit.age))
        // The server began draining after this request came: it is the connection's last.
        if draining { head.writeStaticString("\r\nConnection: close") }
        head.writeStaticString("\r\n\r\n")
        let written: EventLoopPromise<Void>? = draining ? context.eventLoop.makePromise() : nil
        if let body = hit.body {
            socket.write(NIOAny(IOData.byteBuffer(head)), promise: nil)
            socket.writeAndFlush(NIOAny(IOData.byteBuffer(body)), promise: written)
        } else {
            socket.writeAndFlush(NIOAny(IOData.byteBuffer(head)), promise: written)
        }
        written?.futureResult.assumeIsolatedUnsafeUnchecked().whenComplete { _ in context.close(promise: nil) }
        let finished = NIODeadline.now()
        lastActivity = finished
        let elapsed = finished.uptimeNanoseconds &- hit.started
        node.metrics.record(RequestKind(target: hit.target), status: hit.status, nanoseconds: elapsed)
        if node.accessLog.isEnabled {
            node.accessLog.record(AccessLogEntry(
                requestID: node.accessLog.makeRequestID(), site: hit.site.rawValue, method: hit.method.rawValue, target: hit.target,
                status: hit.status, nanoseconds: elapsed, cache: .hit, user: nil
            ))
        }
    }

    private func currentDate() -> String {
        let second = Int(Date().timeIntervalSince1970)
        if second != date.second { date = (second, HTTPDate.now()) }
        return date.text
    }

    /// Closes the connection once it has been idle (no request in progress, nothing read or
    /// answered) for the idle timeout. One timer per connection, moved on only when it fires.
    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        guard let timeout = node.idleTimeout, timeout > .zero, idleCheck == nil else { return }
        let now = NIODeadline.now()
        let busy = outstanding > 0 || pendingHit != nil
        if busy { lastActivity = now }
        let deadline = lastActivity + timeout
        if !busy, deadline <= now {
            context.close(promise: nil)
            return
        }
        idleCheck = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) { [self] in
            idleCheck = nil
            scheduleIdleCheck(context: context)
        }
    }
}

/// Puts a `CacheHitHandler` right after the HTTP request decoder and removes itself.
///
/// Hummingbird adds extra handlers after its HTTP codec, where requests and responses are
/// already `HTTPTypes` values; the fast path belongs below that, next to the decoder and the
/// encoder, where a hit can be written as bytes.
final class CacheHitInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let node: CacheHitHandler.Node

    init(node: CacheHitHandler.Node) {
        self.node = node
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let operations = context.pipeline.syncOperations
        do {
            // NIO pairs its request decoder with the response encoder: the decoder queues every
            // request's method and the encoder takes one per response head, to leave out HEAD
            // bodies. Hits never pass the encoder, so that queue would shift and frame later
            // responses as another request's. An unpaired decoder (same limits as
            // Hummingbird's) keeps responses framed by their status; HEAD bodies are already
            // left out by `HeadMiddleware`.
            let paired = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let defaults = HTTP1Channel.Configuration().httpDecoder
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = defaults.maxHeaderFieldSize
            limits.maxHeaderListSize = defaults.maxHeaderListSize
            limits.maxHeaderFieldCount = defaults.maxHeaderFieldCount
            let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits))
            try operations.addHandler(decoder, position: .after(paired))
            try operations.addHandler(CacheHitHandler(node: node), position: .after(decoder))
            operations.removeHandler(paired, promise: nil)
        } catch {
            node.logger.error("the cache fast path could not be installed: \(error); hits go through the router and idle connections are not timed out")
        }
        operations.removeHandler(context: context, promise: nil)
    }
}

/// Encodes a cached response's heads (`WireHeads`) once, when it is stored.
enum HitResponse {
    static func wireHeads(of entry: CachedResponse) -> WireHeads {
        func head(status: Int, extra: [(String, String)]) -> ByteBuffer {
            var buffer = ByteBuffer()
            let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
            buffer.writeString("HTTP/1.1 \(status) \(reason)\r\n")
            for (name, value) in entry.headers + extra {
                // Header fields reach the wire unchecked from here: no line breaks or NULs.
                buffer.writeString(String(name.unicodeScalars.filter { $0.value > 0x20 && $0 != ":" && $0.value != 0x7f }))
                buffer.writeStaticString(": ")
                buffer.writeString(String(value.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f ? " " : Character($0) }))
                buffer.writeStaticString("\r\n")
            }
            return buffer
        }
        let vary: [(String, String)] = entry.gzipBody == nil ? [] : [("Vary", "Accept-Encoding")]
        let identity = head(status: entry.status, extra: [("ETag", entry.etag)] + vary + [("Content-Length", String(entry.body.readableBytes))])
        let gzip = entry.gzipBody.map { body in
            head(status: entry.status, extra: [("ETag", entry.etag)] + vary + [("Content-Encoding", "gzip"), ("Content-Length", String(body.readableBytes))])
        }
        return WireHeads(identity: identity, gzip: gzip, notModified: head(status: 304, extra: [("ETag", entry.etag)] + vary))
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
