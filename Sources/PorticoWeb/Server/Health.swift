import Hummingbird
import NIOCore
import PorticoStore

/// `/_health/ready`: 200 "READY" only when the node accepts connections, is not draining and
/// its store answers; 503 with the reason otherwise. (`/_health/live` only says the process
/// answers HTTP at all.) Supervisors and balancers use it to route around a node.
enum Health {
    static func ready(_ services: PorticoServices) async throws -> Response {
        let state = services.readiness.state
        guard state == .ready else { return text(.serviceUnavailable, "NOT READY: \(state.rawValue)\n") }
        do {
            _ = try await services.store.userCount()
        } catch {
            return text(.serviceUnavailable, "NOT READY: the store does not answer\n")
        }
        return text(.ok, "READY\n")
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
