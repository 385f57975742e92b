import Foundation
import PorticoTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Portico behind Debian's Varnish 7 with the VCL from `portico config varnish`: a page is
/// cached by Varnish, and an edit made in Portico purges it before the save returns.
@Suite(.serialized) struct VarnishEndToEndTests {
    static var varnishAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/varnishd") }
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// varnishd in the foreground may take its time over SIGTERM: give it two seconds, then kill
    /// it. No `waitUntilExit()`: its exit is not always observed, and a blocked wait would hold
    /// one of the test pool's few threads.
    static func stop(_ process: ChildProcess) {
        process.terminate()
        process.waitForExitBlocking(timeout: 2)
        process.send(SIGKILL)
    }

    @Test(.enabled(if: varnishAvailable || required, "needs Debian's varnish (installed by .ci/run)"))
    func anEditPurgesThePageFromVarnish() async throws {
        #expect(Self.varnishAvailable, "varnishd is missing")
        guard Self.varnishAvailable else { return }
        let varnishPort = try Self.freePort()
        let server = try RunningServer(arguments: ["--data", temporaryDataFolder(), "--purge", "http://127.0.0.1:\(varnishPort)/"])
        defer { server.stop() }
        let password = try #require(server.firstLines.firstMatch(of: /password: (\S+)/)?.1)

        let work = TestFolders.url("portico-varnish")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        chmod(work.path, 0o755)
        let vcl = try PorticoBinary.run(["config", "varnish", "--backend", "127.0.0.1:\(server.port)"])
        #expect(vcl.status == 0, "\(vcl.error)")
        let vclFile = work.appendingPathComponent("portico.vcl")
        try Data(vcl.output.utf8).write(to: vclFile)
        chmod(vclFile.path, 0o644)

        let varnish = try ChildProcess("/usr/sbin/varnishd", ["-F", "-n", work.appendingPathComponent("n").path, "-a", "127.0.0.1:\(varnishPort)", "-f", vclFile.path, "-s", "malloc,64m"])
        defer { Self.stop(varnish) }
        let front = WebClient(port: varnishPort)
        let back = WebClient(port: server.port)
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await front.get("/_site/demo/news"))?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(ready, "varnish did not start")
        guard ready else { return }

        _ = try await front.get("/_site/demo/news")
        let cached = try await front.get("/_site/demo/news")
        #expect(cached.headers["x-varnish-cache"] == "HIT")
        #expect(cached.headers["xkey"] == nil)
        #expect(cached.body.contains("Record number of applications"))

        // Edit a news title in Portico itself, as an editor.
        let login = try await back.get("/_site/demo/_login")
        let loginToken = try #require(login.body.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
        let loggedIn = try await back.post("/_site/demo/_login", ["_csrf": String(loginToken), "username": "admin", "password": String(password), "next": "/_site/demo/_edit/"])
        #expect(loggedIn.status == 303)
        let form = try await back.get("/_site/demo/_edit/edit/news/record-number-of-applications")
        let token = try #require(form.body.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
        let version = try #require(form.body.firstMatch(of: /name="version" value="(\d+)"/)?.1)
        let saved = try await back.post("/_site/demo/_edit/edit/news/record-number-of-applications", [
            "_csrf": String(token), "type": "news", "version": String(version), "title": "Applications at a record high", "slug": "record-number-of-applications",
        ])
        #expect(saved.status == 303)

        let after = try await front.get("/_site/demo/news")
        #expect(after.headers["x-varnish-cache"] == "MISS")
        #expect(after.body.contains("Applications at a record high"))
        let editor = try await front.get("/_site/demo/_edit/")
        #expect(editor.headers["x-varnish-cache"] == "MISS")
    }
}

/// A small HTTP client for end-to-end tests: keeps cookies, does not follow redirects.
final class WebClient: @unchecked Sendable {
    let port: Int
    let session: URLSession
    /// Portico's cookies by name, kept by hand (no shared cookie storage between tests).
    private let jar = Locked<[String: String]>([:])

    init(port: Int) {
        self.port = port
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 20
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    struct Reply {
        var status: Int
        /// By lowercased name.
        var headers: [String: String]
        var body: String
    }

    func get(_ path: String) async throws -> Reply {
        try await send(URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!))
    }

    func post(_ path: String, _ fields: [String: String]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        request.httpBody = Data(fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> Reply {
        var request = request
        let cookies = jar.withLock { $0 }
        if !cookies.isEmpty { request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        if let setCookie = headers["set-cookie"] {
            for match in setCookie.matches(of: /(portico_[a-z_]+)=([^;,]*)/) {
                let (name, value) = (String(match.1), String(match.2))
                jar.withLock { $0[name] = value.isEmpty ? nil : value }
            }
        }
        return Reply(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self))
    }
}
