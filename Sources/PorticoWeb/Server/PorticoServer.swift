import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import PorticoStore
public import ServiceLifecycle
import Synchronization

/// The HTTP server of a node (or of one worker): Hummingbird's HTTP/1 channel on a socket
/// Portico made itself (see `ListeningSocket`), plus an optional private Unix socket on which
/// a supervisor checks this very process's health.
///
/// On graceful shutdown (SIGTERM) it stops accepting at once, lets requests in flight finish
/// and closes idle keep-alive connections; connections still busy after `drainTimeout` are
/// closed.
public final class PorticoServer<Responder: HTTPResponder>: Service where Responder.Context == PorticoRequestContext {
    let responder: Responder
    let socket: ListeningSocket
    let controlSocketPath: String?
    let channelHandlers: @Sendable () -> [any RemovableChannelHandler]
    let drainTimeout: Duration
    let logger: Logger
    let onListening: @Sendable () async -> Void
    let onDraining: @Sendable () -> Void

    public init(
        responder: Responder, socket: ListeningSocket, controlSocketPath: String? = nil,
        channelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] },
        drainTimeout: Duration = .seconds(30), logger: Logger, onListening: @escaping @Sendable () async -> Void = {},
        onDraining: @escaping @Sendable () -> Void = {}
    ) {
        self.onDraining = onDraining
        self.responder = responder
        self.socket = socket
        self.controlSocketPath = controlSocketPath
        self.channelHandlers = channelHandlers
        self.drainTimeout = drainTimeout
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let logger = self.logger
        let responder = self.responder
        let handlers = self.channelHandlers
        let http = HTTP1Channel(
            responder: { request, writer, channel in
                let context = PorticoRequestContext(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch let error as HTTPParserError {
                    throw error
                } catch {
                    logger.error("unhandled error: \(error)")
                    response = Response(status: .internalServerError)
                }
                response.headers[.date] = HTTPDate.now()
                response.headers[.server] = "Portico"
                try await writer.write(response: response.head, body: response.body)
            },
            // No idle timeout here: the cache fast path (among `handlers`) keeps it, because
            // requests it answers never reach Hummingbird's connection state handler.
            configuration: .init(additionalChannelHandlers: [DrainHandler()] + handlers(), idleTimeout: nil)
        )
        let connections = ConnectionTracker()
        try socket.listen()
        let acceptor = Acceptor(descriptor: socket.descriptor)
        let accepted = acceptor.connections()
        let controlQuiescing = ServerQuiescingHelper(group: group)
        var controlServer: NIOAsyncChannel<HTTP1Channel.Value, Never>?
        if let controlSocketPath {
            controlServer = try await ServerBootstrap(group: group)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(controlQuiescing.makeServerChannelHandler(channel: channel))
                    }
                }
                .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: controlSocketPath, cleanupExistingSocketFile: true) { channel in
                    http.setup(channel: channel, logger: logger)
                }
        }
        let control = controlServer
        let drainTimeout = self.drainTimeout
        let onDraining = self.onDraining
        await withGracefulShutdownHandler {
            await onListening()
            await withDiscardingTaskGroup { tasks in
                if let control {
                    tasks.addTask { await Self.serve(control, http: http, logger: logger) }
                }
                for await descriptor in accepted {
                    // The connection's event loop is chosen here, so that its task can run on it.
                    let eventLoop = group.next()
                    tasks.addTask(executorPreference: EventLoopExecutor(eventLoop)) {
                        do {
                            let bootstrap = ClientBootstrap(group: eventLoop)
                                .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                            let value = try await bootstrap.withConnectedSocket(descriptor) { channel in
                                connections.add(channel)
                                return http.setup(channel: channel, logger: logger).map { value in
                                    // Accepted just as draining began: close after the first request.
                                    if connections.isQuiescing { channel.pipeline.fireUserInboundEventTriggered(DrainEvent()) }
                                    return value
                                }
                            }
                            // On its event loop, a page's reads run inline (see `InlineReads`).
                            await InlineReads.$allowed.withValue(true) {
                                await http.handle(value: value, logger: logger)
                            }
                        } catch {
                            logger.debug("could not set up a connection: \(error)")
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            onDraining()
            logger.info("draining: no new connections; waiting up to \(drainTimeout) for requests in flight")
            acceptor.stop()
            controlQuiescing.initiateShutdown(promise: nil)
            Task {
                // Let the accept thread finish its last round, then ask every connection to
                // close once its request in flight (if any) is answered.
                try? await Task.sleep(for: .milliseconds(150))
                connections.quiesceAll()
                try? await Task.sleep(for: drainTimeout)
                let left = connections.closeAll()
                if left > 0 { logger.warning("drain timeout: closed \(left) connections still open") }
            }
        }
        if let controlSocketPath { unlink(controlSocketPath) }
        logger.info("server stopped")
    }

    /// Accepts connections until the server channel closes, then waits for their handlers.
    private static func serve(_ server: NIOAsyncChannel<HTTP1Channel.Value, Never>, http: HTTP1Channel, logger: Logger) async {
        await withDiscardingTaskGroup { connections in
            do {
                try await server.executeThenClose { inbound in
                    for try await child in inbound {
                        connections.addTask { await http.handle(value: child, logger: logger) }
                    }
                }
            } catch {
                logger.error("accepting connections failed: \(error)")
            }
        }
    }
}

/// The open connections, so that a drain can ask them to close when idle, and close those
/// still open when it runs out of time.
final class ConnectionTracker: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let quiescing = Atomic<Bool>(false)

    var isQuiescing: Bool { quiescing.load(ordering: .acquiring) }

    /// Asks every connection to close once idle (the HTTP handler closes an idle keep-alive
    /// connection at once, and a busy one after its response).
    func quiesceAll() {
        quiescing.store(true, ordering: .releasing)
        for channel in channels.withLock({ Array($0.values) }) {
            channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(DrainEvent()) }
        }
    }

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    /// Closes every connection still open; returns how many there were.
    func closeAll() -> Int {
        let open = channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
        return open.count
    }
}
