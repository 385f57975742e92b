import Hummingbird
import HTTPTypes
import NIOCore

/// `/metrics`: the node's metrics in the Prometheus text exposition format. Platform-level like
/// the monitoring views: any host, never cached, loopback or monitor token only.
struct MetricsEndpoint: Sendable {
    let metrics: PorticoMetrics
    let token: String?

    func respond(_ request: Request, context: PorticoRequestContext) -> Response {
        guard MonitorAccess.allows(request, clientAddress: context.clientAddress, token: token) else {
            return MonitorAccess.refusal("metrics")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
        )
    }
}
