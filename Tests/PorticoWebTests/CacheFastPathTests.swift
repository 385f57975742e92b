import Foundation
import Hummingbird
import HummingbirdTesting
import PorticoWeb
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Cache hits answered in the channel pipeline, as bytes on the wire: the same response a
/// render gives, pipelined requests answered in order, and the idle timeout kept.
@Suite struct CacheFastPathTests {
    @Test func aHitCarriesTheSameHeadersAndBodyAsTheRenderedResponse() async throws {
        let f = try await WebFixture.make(cache: CacheConfiguration(surrogateKeys: true))
        try await PorticoApplication.application(f.services, host: "127.0.0.1", port: 0).test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            let miss = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            let hit = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            #expect(miss.status == 200 && hit.status == 200)
            #expect(miss.header("x-cache") == "MISS")
            #expect(hit.header("x-cache") == "HIT")
            #expect(hit.body == miss.body)
            #expect(hit.header("content-length") == String(miss.body.count))
            for name in ["etag", "cache-control", "content-type", "xkey", "surrogate-key", "vary", "server"] {
                #expect(hit.header(name) != nil && hit.header(name) == miss.header(name), "\(name)")
            }
            #expect(hit.header("date") != nil)
            #expect(hit.header("age").flatMap { Int($0) } != nil)
        }
    }

    @Test func headGzipAndConditionalHits() async throws {
        let f = try await WebFixture.make()
        try await PorticoApplication.application(f.services, host: "127.0.0.1", port: 0).test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            let full = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            let etag = try #require(full.header("etag"))

            let head = try await connection.exchange("HEAD /news HTTP/1.1\r\nHost: demo.test\r\n\r\n", head: true)
            #expect(head.status == 200 && head.header("x-cache") == "HIT")
            #expect(head.body.isEmpty)
            #expect(head.header("content-length") == String(full.body.count))

            let gzip = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\nAccept-Encoding: br, gzip;q=0.8\r\n\r\n")
            #expect(gzip.header("x-cache") == "HIT")
            #expect(gzip.header("content-encoding") == "gzip")
            #expect(gzip.body.prefix(2) == Data([0x1f, 0x8b]))
            #expect(gzip.body.count < full.body.count)
            let refused = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\nAccept-Encoding: gzip;q=0\r\n\r\n")
            #expect(refused.header("content-encoding") == nil && refused.body == full.body)

            for condition in [etag, "W/" + etag, "\"other\", " + etag] {
                let notModified = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\nIf-None-Match: \(condition)\r\n\r\n", head: true)
                #expect(notModified.status == 304, "\(condition)")
                #expect(notModified.header("etag") == etag)
                #expect(notModified.header("content-length") == nil)
            }
            let changed = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\nIf-None-Match: \"other\"\r\n\r\n")
            #expect(changed.status == 200 && changed.body == full.body)
        }
    }

    @Test func pipelinedHitsAndPassedOnRequestsAreAnsweredInOrder() async throws {
        let f = try await WebFixture.make()
        try await PorticoApplication.application(f.services, host: "127.0.0.1", port: 0).test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            let news = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            // A hit, a request Hummingbird answers, a hit, a miss, a hit: all in one write.
            try await connection.send(
                "GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n"
                    + "GET /_health/live HTTP/1.1\r\nHost: demo.test\r\n\r\n"
                    + "GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n"
                    + "GET /news/missing-page HTTP/1.1\r\nHost: demo.test\r\n\r\n"
                    + "GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n"
            )
            var replies: [RawHTTPConnection.Reply] = []
            for _ in 0..<5 { replies.append(try await connection.readResponse()) }
            #expect(replies.map(\.status) == [200, 200, 200, 404, 200])
            #expect(replies[0].body == news.body && replies[2].body == news.body && replies[4].body == news.body)
            #expect(replies[1].body != news.body)
        }
    }

    /// NIO's decoder and encoder pair up to leave HEAD bodies out; hits bypass the encoder, so
    /// the responses after them must still be framed as their own.
    @Test func responsesAfterHeadAndGetHitsKeepTheirOwnFraming() async throws {
        let f = try await WebFixture.make()
        try await PorticoApplication.application(f.services, host: "127.0.0.1", port: 0).test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            let news = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            let headHit = try await connection.exchange("HEAD /news HTTP/1.1\r\nHost: demo.test\r\n\r\n", head: true)
            #expect(headHit.header("x-cache") == "HIT" && headHit.body.isEmpty)
            #expect(try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n").body == news.body)
            // Passed on to Hummingbird: a HEAD that is not cached, then GETs that are not either.
            let headMiss = try await connection.exchange("HEAD /_health/live HTTP/1.1\r\nHost: demo.test\r\n\r\n", head: true)
            #expect(headMiss.status == 200 && headMiss.body.isEmpty)
            let health = try await connection.exchange("GET /_health/live HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            #expect(health.status == 200 && !health.body.isEmpty)
            #expect(health.header("content-length") == String(health.body.count))
            let rendered = try await connection.exchange("GET /about HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            #expect(rendered.status == 200 && rendered.header("x-cache") == "MISS")
            #expect(String(decoding: rendered.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</html>"))
            // And the connection still works.
            #expect(try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n").body == news.body)
        }
    }

    @Test func aCachedNotFoundIsNeverNotModified() async throws {
        let f = try await WebFixture.make()
        try await PorticoApplication.application(f.services, host: "127.0.0.1", port: 0).test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            let first = try await connection.exchange("GET /no-such-page HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            #expect(first.status == 404)
            let etag = first.header("etag") ?? "\"x\""
            for condition in ["*", etag] {
                let again = try await connection.exchange("GET /no-such-page HTTP/1.1\r\nHost: demo.test\r\nIf-None-Match: \(condition)\r\n\r\n")
                #expect(again.status == 404, "\(condition)")
            }
        }
    }

    @Test func aConnectionServingOnlyHitsStaysOpenUntilItIsIdle() async throws {
        let f = try await WebFixture.make()
        let app = PorticoApplication.application(f.services, host: "127.0.0.1", port: 0, idleTimeout: .seconds(2))
        try await app.test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            _ = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
            // Hits back to back for more than twice the idle timeout: each one is activity.
            let start = ContinuousClock.now
            var hits = 0
            // (The timeout leaves room for a busy machine running the whole suite at once.)
            while ContinuousClock.now - start < .milliseconds(4500) {
                let reply = try await connection.exchange("GET /news HTTP/1.1\r\nHost: demo.test\r\n\r\n")
                if reply.header("x-cache") == "HIT" { hits += 1 }
            }
            #expect(hits > 10)
            // Then idle: the server closes the connection.
            try await Task.sleep(for: .seconds(5))
            #expect(await connection.isClosedByPeer())
        }
    }
}

/// An HTTP/1.1 client on one TCP connection, for byte-level tests. Its socket calls block, so
/// they run on a dispatch queue: blocking the few threads of the concurrency pool would stall
/// the server under test, which renders on them.
final class RawHTTPConnection: @unchecked Sendable {
    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
    }

    private let descriptor: Int32
    private var buffer = Data()

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connected == 0 else { throw RawHTTPError.connectFailed }
    }

    deinit { close(descriptor) }

    private let queue = DispatchQueue(label: "raw-http")

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    func send(_ text: String) async throws {
        try await blocking { try self.sendNow(text) }
    }

    func exchange(_ request: String, head: Bool = false) async throws -> Reply {
        try await blocking {
            try self.sendNow(request)
            return try self.readNow(head: head)
        }
    }

    func readResponse(head: Bool = false) async throws -> Reply {
        try await blocking { try self.readNow(head: head) }
    }

    private func sendNow(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw RawHTTPError.closed }
            sent += written
        }
    }

    /// Reads one response; `head` means no body follows whatever the length says.
    private func readNow(head: Bool) throws -> Reply {
        let separator = Data("\r\n\r\n".utf8)
        while buffer.range(of: separator) == nil { try fill() }
        let end = buffer.range(of: separator)!
        let lines = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        buffer = Data(buffer[end.upperBound...])
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = head || status == 304 ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        while buffer.count < length { try fill() }
        let body = Data(buffer.prefix(length))
        buffer = Data(buffer.dropFirst(length))
        return Reply(status: status, headers: headers, body: body)
    }

    /// Whether the server has closed its side (a read returns end of file at once).
    func isClosedByPeer() async -> Bool {
        (try? await blocking {
            var byte: UInt8 = 0
            return recv(self.descriptor, &byte, 1, Int32(MSG_DONTWAIT)) == 0
        }) ?? false
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw RawHTTPError.closed }
        buffer.append(contentsOf: chunk[0..<count])
    }
}

enum RawHTTPError: Error {
    case connectFailed
    case closed
}

