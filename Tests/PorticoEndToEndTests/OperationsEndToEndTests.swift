import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The real binary under an operator's hands: readiness, draining, supervised workers,
/// configuration files.
@Suite(.serialized) struct OperationsEndToEndTests {
    @Test func noConnectionIsAcceptedBeforeTheNodeIsReady() async throws {
        let port = try freePort()
        let server = try ServerProcess(["serve", "--port", String(port), "--data", temporaryDataFolder()])
        defer { server.stop() }
        // Probe from the moment the process starts: until it is ready the connection must be
        // refused; the first answer it gives must already be READY.
        var answers: [Int] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while answers.isEmpty && ContinuousClock.now < deadline {
            if let status = await quickStatus(port: port, path: "/_health/ready") { answers.append(status) }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(answers == [200])
        #expect(await quickStatus(port: port, path: "/_health/live") == 200)
    }

    @Test func sigtermLetsTheRequestInFlightFinishThenExits() async throws {
        let port = try freePort()
        let server = try ServerProcess(["serve", "--port", String(port), "--data", temporaryDataFolder(), "--drain-timeout", "20"],
                                       environment: ["PORTICO_DEBUG_RENDER_DELAY": "1500"])
        defer { server.stop() }
        try await server.waitFor("listening on")
        // An uncached page render takes 1.5 s; SIGTERM arrives in the middle of it.
        let slow = Task { try await fetch(port: port, path: "/", host: "demo.localhost", timeout: 30) }
        try await Task.sleep(for: .milliseconds(500))
        kill(server.process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(400))
        // Draining: new connections are refused while the slow request is still running.
        #expect(await quickStatus(port: port, path: "/_health/live") == nil)
        let (status, body) = try await slow.value
        #expect(status == 200)
        #expect(body.contains("Northfield"))
        await server.process.waitForExit(timeout: .seconds(20))
        #expect(!server.process.isRunning)
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.exitStatus == 0)
    }

    @Test func aKilledWorkerIsReplacedAndTheSiteKeepsAnswering() async throws {
        let server = try ServerProcess(["serve", "--port", "0", "--workers", "2", "--health-interval", "1", "--data", temporaryDataFolder()])
        defer { server.stop() }
        let port = try await server.listeningPort()
        try await server.waitFor("worker 1 ready")
        let victim = try #require(server.workerPIDs().first)
        kill(victim, SIGKILL)
        try await server.waitFor("exited with signal 9")
        // A replacement starts and the site answers throughout.
        try await eventually(timeout: .seconds(60)) { server.workerPIDs().count >= 3 }
        for _ in 0..<20 {
            let (status, _) = try await fetch(port: port, path: "/", host: "demo.localhost")
            #expect(status == 200)
        }
        let replacement = try #require(server.workerPIDs().last)
        #expect(replacement != victim)
        #expect(kill(replacement, 0) == 0)
    }

    @Test func aRollingRestartUnderSteadyTrafficFailsNoRequest() async throws {
        let server = try ServerProcess(["serve", "--port", "0", "--workers", "2", "--data", temporaryDataFolder()])
        defer { server.stop() }
        let port = try await server.listeningPort()
        try await server.waitFor("worker 1 ready")
        let before = server.workerPIDs()
        let stop = Locked(false)
        let results = Locked<[String: Int]>([:])
        let clients = (0..<4).map { _ in
            Task {
                let session = URLSession(configuration: .ephemeral)
                while !stop.withLock({ $0 }) {
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/news")!)
                    request.setValue("demo.localhost", forHTTPHeaderField: "Host")
                    request.timeoutInterval = 30
                    let outcome: String
                    do {
                        let (_, response) = try await session.data(for: request)
                        outcome = String((response as? HTTPURLResponse)?.statusCode ?? 0)
                    } catch {
                        outcome = "error: \(error.localizedDescription)"
                    }
                    results.withLock { $0[outcome, default: 0] += 1 }
                }
            }
        }
        try await Task.sleep(for: .seconds(1))
        kill(server.process.processIdentifier, SIGHUP)
        try await server.waitFor("rolling restart done", timeout: .seconds(120))
        try await Task.sleep(for: .seconds(1))
        stop.withLock { $0 = true }
        for client in clients { await client.value }
        let counts = results.withLock { $0 }
        #expect(counts.keys.sorted() == ["200"], "every request succeeded: \(counts)")
        #expect((counts["200"] ?? 0) > 50)
        // Both workers were replaced.
        let after = server.workerPIDs()
        #expect(after.count == before.count + 2)
    }

    @Test func aBrokenConfigurationIsReportedWithFileLineAndKey() async throws {
        let folder = temporaryDataFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = folder + "/base.toml"
        let broken = folder + "/prod.toml"
        try "[server]\nport = 9000\n".write(toFile: base, atomically: true, encoding: .utf8)
        try "extends = \"base.toml\"\n[server]\nworkrs = 2\n[cache]\nsize = \"big\"\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let check = try await PorticoBinary.runAsync(["config", "check", broken, "--no-environment"])
        #expect(check.status == 1)
        #expect(check.error.contains("\(broken):3: server.workrs: unknown key; did you mean 'server.workers'?"))
        #expect(check.error.contains("\(broken):5: cache.size: must be an integer"))
        let good = try await PorticoBinary.runAsync(["config", "check", base, "--no-environment"])
        #expect(good.status == 0)
        #expect(good.output.contains("OK"))
        // serve refuses to start at all: no socket, one clear message.
        let serve = try await PorticoBinary.runAsync(["serve", "--config", broken, "--data", folder + "/data"])
        #expect(serve.status == 1)
        #expect(serve.error.contains("server.workrs"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/data"))
        let syntax = folder + "/syntax.toml"
        try "[server\nport = 1\n".write(toFile: syntax, atomically: true, encoding: .utf8)
        let syntaxCheck = try await PorticoBinary.runAsync(["config", "check", syntax, "--no-environment"])
        #expect(syntaxCheck.status == 1)
        #expect(syntaxCheck.error.contains("\(syntax):1:"))
    }
}

// MARK: Helpers

/// A `portico` process whose standard output is collected as it comes.
final class ServerProcess: @unchecked Sendable {
    let process: ChildProcess
    private let output = Locked("")

    /// The exit status once the process has ended.
    var exitStatus: Int32? { process.exitStatus }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = try ChildProcess(PorticoBinary.url.path, arguments + ["--log-level", "warning"], environment: environment, output: .pipe)
        let output = self.output
        process.output!.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            output.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { output.withLock { $0 } }

    func waitFor(_ fragment: String, timeout: Duration = .seconds(60)) async throws {
        try await eventually(timeout: timeout, "output never contained '\(fragment)':\n\(text)") { self.text.contains(fragment) }
    }

    func listeningPort() async throws -> Int {
        try await waitFor("listening on http://")
        let match = try #require(text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\//))
        return try #require(Int(match.1))
    }

    /// Every worker the supervisor started, in order.
    func workerPIDs() -> [Int32] {
        text.matches(of: /started worker \d+ \(pid (\d+)\)/).compactMap { Int32($0.1) }
    }

    /// SIGTERM to the process (a supervisor passes it on to its workers).
    func stop() { process.terminate() }
}

struct Timeout: Error, CustomStringConvertible {
    let description: String
}

func eventually(timeout: Duration, _ message: @autoclosure () -> String = "condition never held", _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw Timeout(description: message()) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// A free TCP port on 127.0.0.1 (bound and released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw Timeout(description: "no free port") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The status of a GET, or nil if no connection could be made or no answer came quickly.
func quickStatus(port: Int, path: String) async -> Int? {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.timeoutInterval = 2
    let session = URLSession(configuration: .ephemeral)
    guard let (_, response) = try? await session.data(for: request) else { return nil }
    return (response as? HTTPURLResponse)?.statusCode
}

func fetch(port: Int, path: String, host: String, timeout: TimeInterval = 10) async throws -> (Int, String) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.setValue(host, forHTTPHeaderField: "Host")
    request.timeoutInterval = timeout
    let session = URLSession(configuration: .ephemeral)
    let (data, response) = try await session.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}
