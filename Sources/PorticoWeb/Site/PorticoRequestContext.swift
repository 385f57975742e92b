public import Hummingbird
public import PorticoCore

/// Per-request state: which site the request is for, how its URLs are prefixed, and who asks.
public struct PorticoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The site chosen by the Host header or the `/_site/<id>/` prefix; nil for platform routes.
    public var site: Site?
    /// Prefix for every URL generated for this request: "" when the site was chosen by host,
    /// "/_site/<id>" when it was chosen by the local fallback prefix.
    public var basePath: String = ""
    /// The request's scheme and host as the client addressed it, for absolute URLs.
    public var origin: String = ""
    public var principal: Principal = .anonymous
    /// The logged-in user's session and account, when there is one.
    public var session: Session?
    public var user: User?
    /// Collects what the response is rendered from, when the response cache wants to keep it.
    public var dependencies: DependencyRecorder?
    /// The client's address, for login throttling.
    public let clientAddress: String

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The site, or a 404 if the request was not resolved to one.
    public func requireSite() throws -> Site {
        guard let site else { throw PorticoError.notFound("site") }
        return site
    }
}
