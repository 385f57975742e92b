import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Users for every role of the demo site, and an HTTP client that logs in as them.
struct EditorFixture {
    let web: WebFixture
    let users: [String: User]
    static let password = "correct horse battery"

    /// Accounts: one per role (granted on the demo site's root), plus `outsider` (no role),
    /// `other` (a second contributor) and `docseditor` (editor on /docs only).
    static func make(cache: CacheConfiguration = CacheConfiguration()) async throws -> EditorFixture {
        let web = try await WebFixture.make(cache: cache)
        let admin = web.services.administration
        var users: [String: User] = [:]
        let root = try await web.content(web.demo).root()
        let docs = try await web.services.content.create(in: web.demo.id, under: root.id, ItemDraft(type: .folder, title: "Docs"), state: .published, by: .system)
        let roles: [String: Role?] = ["manager": .manager, "editor": .editor, "contributor": .contributor, "other": .contributor,
                                      "reviewer": .reviewer, "member": .member, "outsider": nil, "docseditor": nil]
        for (name, role) in roles {
            let (user, _) = try await admin.createUser(username: name, password: password, isPlatformAdmin: false)
            users[name] = user
            if let role { try await web.services.content.grant(role, to: user.id, on: root.id, in: web.demo.id, by: .system) }
        }
        try await web.services.content.grant(.editor, to: users["docseditor"]!.id, on: docs.id, in: web.demo.id, by: .system)
        return EditorFixture(web: web, users: users)
    }

    func principal(_ name: String) -> Principal {
        guard let user = users[name] else { return .anonymous }
        return .user(user.id, isPlatformAdmin: user.isPlatformAdmin)
    }
}

/// A browser-like session over the test client: keeps the session cookie and CSRF token.
struct Browser {
    let client: any TestClientProtocol
    var host = "demo.test"
    var cookies: [String: String] = [:]
    var csrf: String?

    init(_ client: any TestClientProtocol, host: String = "demo.test") {
        self.client = client
        self.host = host
    }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        var location: String? { headers[.location] }
    }

    mutating func request(_ path: String, method: HTTPRequest.Method = .get, form: [(String, String)]? = nil, body: ByteBuffer? = nil, contentType: String? = nil, extraHeaders: HTTPFields = [:]) async throws -> Page {
        var headers: HTTPFields = [hostField: host]
        headers.append(contentsOf: extraHeaders)
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var payload = body
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            let encoded = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
            payload = ByteBuffer(string: encoded)
        } else if let contentType {
            headers[.contentType] = contentType
        }
        let page = try await client.execute(uri: path, method: method, headers: headers, body: payload) { response in
            Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
        for cookie in page.headers[values: .setCookie] {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 || (pair.count == 1 && cookie.contains("=;")) else { continue }
            let name = String(pair[0])
            let value = pair.count == 2 ? String(pair[1]) : ""
            if value.isEmpty || cookie.contains("Expires=Thu, 01 Jan 1970") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = page.body.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1 { csrf = String(token) }
        return page
    }

    mutating func get(_ path: String) async throws -> Page { try await request(path) }

    /// POSTs a form with this session's CSRF token.
    mutating func post(_ path: String, _ fields: [(String, String)] = [], csrf override: String? = nil) async throws -> Page {
        try await request(path, method: .post, form: [("_csrf", override ?? csrf ?? "")] + fields)
    }

    mutating func login(_ username: String, password: String = EditorFixture.password) async throws -> Page {
        _ = try await get("/_login")
        let page = try await post("/_login", [("username", username), ("password", password), ("next", "/_edit/")])
        if page.status == .seeOther { _ = try await get("/") }  // the edit bar carries the session's CSRF token
        return page
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    /// A multipart body with fields and one file.
    static func multipart(_ fields: [(String, String)], file: (name: String, filename: String, data: Data)?) -> (ByteBuffer, String) {
        let boundary = "----portico-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += file.data
            body += Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), "multipart/form-data; boundary=\(boundary)")
    }
}
