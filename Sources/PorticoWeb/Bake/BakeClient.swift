import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Anonymous GET requests sent through the node's whole request path in process: site
/// resolution, sessions (none), the response cache, error pages and the router, exactly as
/// for a visitor. No socket and no channel are involved, so what comes back is byte for byte
/// what the server would send.
struct BakeClient {
    struct Answer {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        var body: [UInt8]

        var isHTML: Bool { headers[.contentType]?.lowercased().hasPrefix("text/html") ?? false }
        var isCSS: Bool { headers[.contentType]?.lowercased().hasPrefix("text/css") ?? false }
        var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status.code) }
    }

    let responder: any HTTPResponder<PorticoRequestContext>
    let address: SiteAddress
    let logger: Logger
    /// An overloaded node sheds requests (503, `X-Cache: SHED`); the bake waits and retries.
    static let sheddingRetries = 5

    func get(_ path: SitePath) async throws(BakeError) -> Answer {
        var attempt = 0
        while true {
            let answer = try await send(path)
            guard answer.status == .serviceUnavailable, answer.headers[CacheMiddleware.xCache] == "SHED", attempt < Self.sheddingRetries else {
                return answer
            }
            attempt += 1
            do { try await Task.sleep(for: .milliseconds(100 * attempt)) } catch { throw .cancelled }
        }
    }

    private func send(_ path: SitePath) async throws(BakeError) -> Answer {
        let target = address.basePath + path.encoded
        let head = HTTPRequest(method: .get, scheme: "http", authority: address.host, path: target, headerFields: [.userAgent: "Portico-bake"])
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        let collector = BakeBodyCollector()
        do {
            let response = try await responder.respond(to: request, context: PorticoRequestContext(bakeLogger: logger))
            try await response.body.write(CollectingWriter(collector: collector))
            return Answer(status: response.status, headers: response.headers, body: collector.bytes)
        } catch is CancellationError {
            throw .cancelled
        } catch {
            // The error middleware turns every domain error into a page; what escapes is a failure.
            logger.error("bake request failed", metadata: ["path": "\(target)", "error": "\(error)"])
            throw .renderFailed(path: path.description, status: 500)
        }
    }
}

/// Collects a response body, however the responder writes it (one buffer or a file stream).
private final class BakeBodyCollector: Sendable {
    private let buffer = Mutex([UInt8]())

    func append(_ bytes: ByteBuffer) {
        buffer.withLock { $0 += bytes.readableBytesView }
    }

    var bytes: [UInt8] { buffer.withLock { $0 } }
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BakeBodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.append(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// The request source of a bake: a logger, and no channel (there is no connection).
struct BakeRequestSource: RequestContextSource {
    let logger: Logger
}

extension PorticoRequestContext {
    /// An anonymous visitor's context without a connection, for requests made in process.
    init(bakeLogger logger: Logger) {
        self.coreContext = .init(source: BakeRequestSource(logger: logger))
        self.clientAddress = "bake"
    }
}
