import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// Who may read the operations endpoints (`/metrics`, `/_monitor/…`): a client on the loopback
/// interface, or anyone who sends `Authorization: Bearer <monitor token>`.
///
/// They reveal counts, versions and host names, not content, but that is still reconnaissance
/// material. Beware: behind a reverse proxy on the same machine every request comes from
/// loopback, so the proxy must block these paths (or the token must be required there).
enum MonitorAccess {
    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }

    /// Whether the request may read the operations endpoints.
    static func allows(_ request: Request, clientAddress: String, token: String?) -> Bool {
        if isLoopback(clientAddress) { return true }
        guard let token, !token.isEmpty, let sent = bearerToken(request.headers[.authorization]) else { return false }
        return constantTimeEqual(sent, token)
    }

    /// The token of an `Authorization: Bearer <token>` header.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Compares the SHA-256 digests, so that neither the content nor the length of the token
    /// leaks through timing.
    static func constantTimeEqual(_ sent: String, _ expected: String) -> Bool {
        let a = Array(SHA256.hash(data: Data(sent.utf8)))
        let b = Array(SHA256.hash(data: Data(expected.utf8)))
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The one-line refusal.
    static func refusal(_ what: String) -> Response {
        MonitorText.response("\(what) are served to loopback clients or with the monitor token (Authorization: Bearer …)", status: .forbidden)
    }
}

/// Plain-text answers of the operations endpoints: never cached by anyone.
enum MonitorText {
    static func response(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        let body = text.hasSuffix("\n") ? text : text + "\n"
        return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
