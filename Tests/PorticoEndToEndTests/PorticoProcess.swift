import Foundation
import PorticoTestSupport
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
        let process = try ChildProcess(url.path, arguments, input: .pipe, output: .pipe, error: .pipe)
        // Standard error is read alongside standard output, so that neither pipe fills up
        // while the other is being read.
        let errors = Locked(Data())
        let errorsRead = DispatchGroup()
        errorsRead.enter()
        let errorOutput = process.errorOutput!
        DispatchQueue.global().async {
            let data = errorOutput.readDataToEndOfFile()
            errors.withLock { $0 = data }
            errorsRead.leave()
        }
        if let input { process.input!.write(Data(input.utf8)) }
        try process.input!.close()
        let output = process.output!.readDataToEndOfFile()
        errorsRead.wait()
        let status = process.waitForExitBlocking() ?? { process.terminate(); return -1 }()
        return Result(status: status, output: String(decoding: output, as: UTF8.self), error: String(decoding: errors.withLock { $0 }, as: UTF8.self))
    }
}

/// A `portico serve` running in the background on a free port.
final class RunningServer: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let firstLines: String

    init(arguments: [String], environment: [String: String] = [:]) throws {
        // Only the first lines of standard output are read: the access log (one line per
        // request) would fill the pipe and stall the server, so it is off here.
        process = try ChildProcess(PorticoBinary.url.path, ["serve", "--port", "0", "--log-level", "warning"] + arguments,
                                   environment: ["PORTICO_LOG_ACCESS": "off"].merging(environment) { $1 }, output: .pipe)
        let out = process.output!
        // Read until the server says where it listens (at most 60 s).
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline {
            let data = out.availableData
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
    func stop() { process.terminate() }

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

func temporaryDataFolder() -> String {
    TestFolders.path("portico-e2e")
}
