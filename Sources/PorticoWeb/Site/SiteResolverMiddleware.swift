import Hummingbird
import HTTPTypes
import PorticoCore

/// Step 1 of the request path: choose the site.
///
/// By Host header (`demo.localhost:8080` → site `demo`), or by the local fallback prefix
/// `/_site/<id>/…`, which is stripped before routing and remembered as `basePath` so that
/// generated links keep it. An unknown host gets the platform's 404 page, which names no site.
struct SiteResolverMiddleware: RouterMiddleware {
    typealias Context = PorticoRequestContext
    let directory: SiteDirectory
    let errors: ErrorPages
    /// HTTP/1 servers move Host into `authority`; an explicit header (tests, proxies) wins.
    static let hostField = HTTPField.Name("Host")!

    func handle(_ request: Request, context: PorticoRequestContext, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let path = request.uri.path
        // Platform-level paths answer on any host, known or not.
        if path.hasPrefix("/_theme/") || path.hasPrefix("/_health/") || path.hasPrefix("/_monitor/") || path == "/metrics" {
            return try await next(request, context)
        }
        let rawHost = request.headers[Self.hostField] ?? request.head.authority ?? ""
        let host = Hostname.normalize(rawHost)
        context.origin = "http://" + (host != nil ? rawHost.lowercased() : "localhost")

        if path == "/_site" || path.hasPrefix("/_site/") {
            let rest = path.dropFirst("/_site".count)
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            guard let first = parts.first, let id = try? SiteID(String(first)), let site = directory.site(id) else {
                return errors.platform(.notFound)
            }
            context.site = site
            context.basePath = "/_site/\(id)"
            var head = request.head
            let remainder = parts.count > 1 ? "/" + parts[1] : "/"
            head.path = remainder + (request.uri.query.map { "?" + $0 } ?? "")
            let rewritten = Request(head: head, body: request.body)
            return try await serve(rewritten, context: context, next: next)
        }

        guard let host, let site = directory.site(forHost: host) else {
            return errors.platform(.notFound)
        }
        context.site = site
        return try await serve(request, context: context, next: next)
    }

    private func serve(_ request: Request, context: PorticoRequestContext, next: (Request, PorticoRequestContext) async throws -> Response) async throws -> Response {
        if context.site?.status == .disabled {
            return errors.maintenance(context: context)
        }
        return try await next(request, context)
    }
}

/// HEAD is answered like GET without a body, with the same headers (Content-Length included).
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        var head = request.head
        head.method = .get
        let response = try await next(Request(head: head, body: request.body), context)
        return response.createHeadResponse()
    }
}
