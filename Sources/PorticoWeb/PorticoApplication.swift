import PorticoCache
public import Hummingbird
public import ServiceLifecycle
import Logging
import NIOCore
import PorticoCore
import PorticoStore

/// Builds the Hummingbird responder and application for a node.
///
/// The request path: HEAD→GET mapping, site resolution (Host header or `/_site/<id>/`, which
/// rewrites the path and so must run before routing), error mapping, then the router. Later
/// layers (response cache, sessions, editor UI, API) slot in between resolution and routing.
public enum PorticoApplication {
    /// The whole request path as one responder.
    public static func responder(_ services: PorticoServices) -> some HTTPResponder<PorticoRequestContext> {
        let errorPages = ErrorPages(theme: services.theme)
        return PorticoResponder(
            router: router(services).buildResponder(),
            resolver: SiteResolverMiddleware(directory: services.directory, errors: errorPages),
            authentication: AuthenticationMiddleware(sessions: services.sessions, switchboard: services.switchboard),
            cache: CacheMiddleware(
                cache: services.cache, flights: services.flights, gate: services.gate, configuration: services.cacheConfiguration,
                schedule: services.schedule, panic: { context in errorPages.panic(context: context) }, clock: services.clock
            ),
            errors: ErrorMiddleware(pages: errorPages),
            cluster: services.cluster,
            accessLog: AccessLogMiddleware(log: services.accessLog, metrics: services.metrics)
        )
    }

    /// Runs an editor's request on Swift's global executor instead of the connection's event
    /// loop (see `EventLoopExecutor`). Editing may take long (uploads written to disk, site
    /// exports, imports and backups): on the event loop it would hold up every visitor whose
    /// connection shares that loop, cache hits included.
    static func offLoop(_ work: @Sendable () async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(globalConcurrentExecutor) {
            // Never inline on the cooperative pool (see `InlineReads`).
            try await InlineReads.$allowed.withValue(false) { try await work() }
        }
    }

    /// The routes, for a request whose site is already resolved.
    static func router(_ services: PorticoServices) -> Router<PorticoRequestContext> {
        let router = Router(context: PorticoRequestContext.self)
        let site = PublicSite(services: services)
        let fileIO = FileIO()
        let views = EditorViews(theme: services.theme)
        let switchboard = services.switchboard
        let login = LoginController(sessions: services.sessions, views: views, switchboard: switchboard)
        let editor = EditorController(services: services, views: views, uploadLimit: services.uploadLimit)
        let monitor = MonitorController(services: services)
        let metrics = MetricsEndpoint(metrics: services.metrics, token: services.monitorToken)

        // Every public route answers GET and HEAD (HeadMiddleware drops the body).
        func readable(_ path: RouterPath, _ handler: @escaping @Sendable (Request, PorticoRequestContext) async throws -> Response) {
            router.get(path, use: handler)
            router.head(path, use: handler)
        }
        readable("/_health/live") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: "OK\n")))
        }
        readable("/_health/ready") { _, _ in try await Health.ready(services) }
        readable("/_theme/**") { request, _ in site.stylesheet(request) }
        readable("/metrics") { request, context in metrics.respond(request, context: context) }
        // Monitoring views: platform-level, loopback or monitor token (see MonitorController).
        readable("/_monitor/db") { request, context in try await Self.offLoop { await monitor.db(request, context: context) } }
        readable("/_monitor/pool") { request, context in monitor.pool(request, context: context) }
        readable("/_monitor/version") { request, context in try await Self.offLoop { await monitor.version(request, context: context) } }
        readable("/_monitor/hostname") { request, context in monitor.hostname(request, context: context) }
        readable("/_monitor/**") { request, context in monitor.unknown(request, context: context) }
        readable("/robots.txt") { request, context in try await site.robots(request, context: context) }
        readable("/sitemap.xml") { request, context in try await site.sitemap(request, context: context) }
        readable("/feed.xml") { request, context in
            try switchboard.require(.feeds)
            return try await site.feed(request, context: context)
        }
        readable("/_search") { request, context in
            try switchboard.require(.search)
            return try await site.search(request, context: context)
        }
        readable("/_blob/**") { request, context in try await site.blob(request, context: context, fileIO: fileIO) }
        // Logging in and out, and the editor UI (never cached: see AuthenticationMiddleware).
        // Their handlers run off the event loop (`offLoop`).
        typealias Handler = @Sendable (Request, PorticoRequestContext) async throws -> Response
        func editing(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            router.on(RouterPath(stringLiteral: path), method: method) { request, context in
                try await Self.offLoop { try await handler(request, context) }
            }
        }
        editing(.get, "/_login", login.form)
        editing(.post, "/_login", login.submit)
        editing(.post, "/_logout", login.logout)
        editing(.get, "/_edit", editor.dashboard)
        editing(.get, "/_edit/settings", editor.settings)
        editing(.post, "/_edit/settings", editor.saveSettings)
        editing(.get, "/_edit/users") { request, context in try await editor.users(request, context: context) }
        editing(.post, "/_edit/users", editor.createUser)
        editing(.get, "/_edit/flags", editor.flags)
        editing(.post, "/_edit/flags", editor.setFlag)
        // The platform admin UI for sites (administrators only; 404 for anyone else).
        editing(.get, "/_edit/sites", editor.sites)
        editing(.post, "/_edit/sites", editor.createSite)
        editing(.post, "/_edit/sites/import", editor.importSite)
        editing(.get, "/_edit/sites/:id", editor.siteAdmin)
        editing(.post, "/_edit/sites/:id/hostnames", editor.saveSiteHostnames)
        editing(.post, "/_edit/sites/:id/status", editor.setSiteStatus)
        editing(.get, "/_edit/sites/:id/delete", editor.deleteSiteForm)
        editing(.post, "/_edit/sites/:id/delete", editor.deleteSite)
        editing(.post, "/_edit/sites/:id/export", editor.exportSite)
        editing(.post, "/_edit/sites/:id/backup", editor.backupSite)
        editing(.post, "/_edit/sites/:id/check", editor.checkSite)
        // Editor actions on an item: `/_edit/<action>` for the root, `/_edit/<action>/<path>` below it.
        func itemAction(_ action: String, get: Handler? = nil, post: Handler? = nil) {
            for path in ["/_edit/\(action)", "/_edit/\(action)/**"] {
                if let get { editing(.get, path, get) }
                if let post { editing(.post, path, post) }
            }
        }
        itemAction("contents", get: editor.contents, post: editor.contentsAction)
        itemAction("add", get: editor.addForm, post: editor.add)
        itemAction("edit", get: editor.editForm, post: editor.edit)
        itemAction("delete", get: editor.deleteForm, post: editor.delete)
        itemAction("transition", post: editor.transition)
        itemAction("history", get: editor.history)
        itemAction("revert", post: editor.revert)
        itemAction("sharing", get: editor.sharing, post: editor.share)
        readable("/") { request, context in try await site.page(request, context: context) }
        readable("/**") { request, context in try await site.page(request, context: context) }
        return router
    }

    /// The application listening on `host:port`. `onServerRunning` receives the bound port
    /// (useful with port 0).
    public static func application(
        _ services: PorticoServices, host: String, port: Int, idleTimeout: Duration? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let fastPath = cacheHitNode(services, idleTimeout: idleTimeout.map { .milliseconds(Int64($0 / .milliseconds(1))) })
        return Application(
            responder: responder(services),
            server: .http1(configuration: .init(additionalChannelHandlers: [CacheHitInstaller(node: fastPath)])),
            configuration: .init(address: .hostname(host, port: port), serverName: "Portico"),
            onServerRunning: { channel in
                services.readiness.set(.ready)
                await onServerRunning(channel.localAddress?.port ?? port)
            },
            logger: services.logger
        )
    }
}

extension PorticoApplication {
    /// The server for `portico serve`: on a socket made by Portico (see `ListeningSocket`),
    /// optionally with a private control socket for a supervisor. It marks the node ready
    /// once it accepts connections, and draining when shutdown begins.
    public static func server(
        _ services: PorticoServices, socket: ListeningSocket, controlSocketPath: String? = nil, drainTimeout: Duration = .seconds(30),
        onListening: @escaping @Sendable () async -> Void = {}
    ) -> some Service {
        // Hits never reach Hummingbird, so the fast path keeps the idle timeout.
        let fastPath = cacheHitNode(services, idleTimeout: .seconds(75))
        let readiness = services.readiness
        return PorticoServer(
            responder: responder(services), socket: socket, controlSocketPath: controlSocketPath,
            channelHandlers: { [CacheHitInstaller(node: fastPath)] },
            drainTimeout: drainTimeout, logger: services.logger,
            onListening: {
                readiness.set(.ready)
                await onListening()
            },
            onDraining: { readiness.set(.draining) }
        )
    }
}

extension PorticoApplication {
    static func cacheHitNode(_ services: PorticoServices, idleTimeout: TimeAmount?) -> CacheHitHandler.Node {
        CacheHitHandler.Node(
            cache: services.cache, directory: services.directory, cluster: services.cluster, enabled: services.cacheConfiguration.enabled,
            accessLog: services.accessLog, metrics: services.metrics, clock: services.clock, idleTimeout: idleTimeout,
            logger: services.logger
        )
    }
}

/// Runs the steps that must happen before routing, then the router.
struct PorticoResponder<Router: HTTPResponder<PorticoRequestContext>>: HTTPResponder {
    typealias Context = PorticoRequestContext
    let router: Router
    let resolver: SiteResolverMiddleware
    let authentication: AuthenticationMiddleware
    let cache: CacheMiddleware
    let errors: ErrorMiddleware
    let cluster: ClusterSync?
    let accessLog: AccessLogMiddleware
    let head = HeadMiddleware<PorticoRequestContext>()

    func respond(to request: Request, context: PorticoRequestContext) async throws -> Response {
        // Other workers' writes are applied before the site is resolved or the cache read.
        cluster?.synchronize()
        // The access log runs first and times everything; the note brings back the site and
        // user that the inner steps find.
        let note = accessLog.makeNote()
        return try await accessLog.handle(request, context: context, note: note) { request, context in
            try await head.handle(request, context: context) { request, context in
                try await resolver.handle(request, context: context) { request, context in
                    // Health, monitoring and metrics must answer when the node is overloaded,
                    // which is when they are needed: no session lookup, no render slot.
                    guard !Self.isOperations(request.uri.path) else { return try await route(request, context: context) }
                    return try await authentication.handle(request, context: context) { request, context in
                        note?.identify(site: context.site?.id, user: context.user?.id)
                        return try await cache.handle(request, context: context) { request, context in
                            try await route(request, context: context)
                        }
                    }
                }
            }
        }
    }

    private func route(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        try await errors.handle(request, context: context) { request, context in
            try await router.respond(to: request, context: context)
        }
    }

    /// The platform's operations endpoints (as routed: after any `/_site/<id>` prefix is gone).
    static func isOperations(_ path: String) -> Bool {
        path.hasPrefix("/_health/") || path.hasPrefix("/_monitor/") || path == "/metrics"
    }
}
