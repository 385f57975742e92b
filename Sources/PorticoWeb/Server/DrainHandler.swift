import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Sent down a connection's pipeline when the server starts draining.
struct DrainEvent: Sendable {}

/// Closes a keep-alive connection without a client ever seeing it close under a request.
///
/// Closing an idle keep-alive connection races with a client that is just sending its next
/// request on it: the client gets a reset instead of a response. So, once draining, every
/// response carries `Connection: close` and the connection closes right after it; only a
/// connection that stays idle for `idleGrace` is closed without one. It sits first in the
/// pipeline after the HTTP codec. Cache hits answered in the channel pipeline never reach it:
/// once draining, the fast path passes every new request on to here, and closes the connection
/// itself after a hit that was already under way.
final class DrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var draining = false
    private var inFlight = 0
    private var idleClose: Scheduled<Void>?
    let idleGrace: TimeAmount

    init(idleGrace: TimeAmount = .milliseconds(500)) {
        self.idleGrace = idleGrace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            idleClose?.cancel()
            idleClose = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where draining && head.status.kind != .informational:
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            inFlight = max(0, inFlight - 1)
            if draining && inFlight == 0 {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is DrainEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !draining else { return }
        draining = true
        if inFlight == 0 { scheduleIdleClose(context: context) }
    }

    private func scheduleIdleClose(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        idleClose = context.eventLoop.scheduleTask(in: idleGrace) {
            let context = loopBound.value
            if self.inFlight == 0 { context.close(promise: nil) }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleClose?.cancel()
    }
}
