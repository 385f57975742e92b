import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the built `portico` binary, as an operator would.
enum PorticoBinary {
    /// The executable SwiftPM built next to the test bundle.
    static var url: URL {
        if let explicit = ProcessInfo.processInfo.environment["PORTICO_BINARY"] { return URL(fileURLWithPath: explicit) }
        var candidates: [URL] = []
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(arg0.deletingLastPathComponent().appendingPathComponent("portico"))
        candidates.append(arg0.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("portico"))
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/portico"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs a command to completion on a Dispatch thread, so that waiting for it never holds
    /// one of the (two, on CI) threads of Swift's cooperative pool.
    static func runAsync(_ arguments: [String], input: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try run(arguments, input: input) })
            }
        }
    }

    /// Runs a command to completion.
    static func run(_ arguments: [String], input: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        // The status is taken in the termination handler: reading `terminationStatus` right
        // after `isRunning` turns false can still trap in Foundation on Linux.
        let exit = Locked<Int32?>(nil)
        process.terminationHandler = { finished in exit.withLock { $0 = finished.terminationStatus } }
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        let status = finalStatus(of: process, handler: exit)
        return Result(status: status, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
    }
}

/// A `portico serve` running in the background on a free port.
final class RunningServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let firstLines: String

    init(arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = PorticoBinary.url
        process.arguments = ["serve", "--port", "0", "--log-level", "warning"] + arguments
        // Only the first lines of standard output are read: the access log (one line per
        // request) would fill the pipe and stall the server, so it is off here.
        process.environment = ProcessInfo.processInfo.environment.merging(["PORTICO_LOG_ACCESS": "off"].merging(environment) { $1 }) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read until the server says where it listens (at most 60 s).
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let match = text.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)\//) { found = Int(match.1) }
        }
        guard let port = found else {
            process.terminate()
            throw NSError(domain: "portico-e2e", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(text)"])
        }
        self.port = port
        self.firstLines = text
    }

    /// Sends SIGTERM and does not wait: a blocked wait would hold one of the test pool's threads.
    func stop() {
        if process.isRunning { process.terminate() }
    }

    deinit { stop() }

    /// Fetches `path` with the given Host header.
    func get(_ path: String, host: String? = nil, timeout: TimeInterval = 60) async throws -> (status: Int, headers: [AnyHashable: Any], body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!, timeoutInterval: timeout)
        if let host { request.setValue(host, forHTTPHeaderField: "Host") }
        let configuration = URLSessionConfiguration.ephemeral
        let session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, http.allHeaderFields, data)
    }
}

final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// The exit status of a process: from its termination handler when that has run, else read
/// once the process has been seen ended for a moment (reading `terminationStatus` too early
/// traps in Foundation on Linux).
func finalStatus(of process: Process, handler: Locked<Int32?>, timeout: TimeInterval = 120) -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    while handler.withLock({ $0 }) == nil && process.isRunning && Date() < deadline { usleep(10_000) }
    if let status = handler.withLock({ $0 }) { return status }
    if process.isRunning { process.terminate(); return -1 }
    let grace = Date().addingTimeInterval(1)
    while handler.withLock({ $0 }) == nil && Date() < grace { usleep(10_000) }
    return handler.withLock { $0 } ?? process.terminationStatus
}

/// Waits for a process to end by polling, not with `waitUntilExit()`, which spins a run loop
/// and has been seen to deadlock the (two-thread) test pool on Linux.
func waitForExit(_ process: Process, timeout: TimeInterval = 120) {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
}

/// The same, for async tests: sleeps without holding a thread.
func waitForExit(_ process: Process, timeout: Duration = .seconds(120)) async {
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
}

func temporaryDataFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("portico-e2e-\(UUID().uuidString)").path
}
