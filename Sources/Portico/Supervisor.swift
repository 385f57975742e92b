import Foundation
import PorticoWeb
#if canImport(Glibc)
import Glibc
#endif

/// `portico serve --workers N`: runs N worker processes on one shared listening socket and
/// keeps them healthy, in the spirit of supervisord with superlance's memmon and httpok,
/// built in. It never opens the store or touches content.
///
/// - A worker that exits unexpectedly is replaced (with a growing delay if it keeps dying
///   at start).
/// - A worker whose resident memory passes the limit, or that fails three health checks in
///   a row (`GET /_health/ready` over its private Unix socket), is replaced: the new one is
///   started and ready before the old one is told to drain.
/// - SIGHUP replaces every worker the same way, one at a time: a rolling restart with no
///   failed request, because the listening socket stays open in the supervisor and in the
///   other workers, and connections queued on it wait for whichever worker accepts next.
/// - SIGTERM or SIGINT drains every worker and exits.
actor Supervisor {
    struct Worker {
        let slot: Int
        let generation: Int
        let process: Process
        let controlPath: String
        let started: Date
        var retiring = false
        var failedChecks = 0
    }

    let socket: ListeningSocket
    let host: String
    let workerCount: Int
    let workerArguments: [String]
    let runFolder: URL
    let memoryLimit: Int?
    let healthInterval: Duration
    let drainTimeout: Duration
    private var workers: [Int: Worker] = [:]
    private var generation = 0
    private var stopping = false
    private var replacing = false
    private var quickDeaths: [Int: Int] = [:]
    private var signalSources: [any DispatchSourceSignal] = []

    init(socket: ListeningSocket, host: String, workerCount: Int, workerArguments: [String], runFolder: URL, memoryLimit: Int?,
         healthInterval: Duration, drainTimeout: Duration) {
        self.socket = socket
        self.host = host
        self.workerCount = workerCount
        self.workerArguments = workerArguments
        self.runFolder = runFolder
        self.memoryLimit = memoryLimit
        self.healthInterval = healthInterval
        self.drainTimeout = drainTimeout
    }

    /// The command line of a worker: the supervisor's own `serve` arguments without the
    /// supervisor-only options.
    static func workerArguments(from commandLine: [String]) -> [String] {
        let supervisorOnly: Set<String> = ["--workers", "--worker-memory-limit", "--health-interval"]
        var result: [String] = []
        var skipNext = false
        for argument in commandLine.dropFirst() {
            if skipNext { skipNext = false; continue }
            if supervisorOnly.contains(argument) { skipNext = true; continue }
            if supervisorOnly.contains(where: { argument.hasPrefix($0 + "=") }) { continue }
            result.append(argument)
        }
        return result
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() async throws {
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        try SharedMemoryBus.create(at: busPath)
        _ = Self.executablePath
        installSignalHandlers()
        // The first worker runs migrations and first-run setup alone; the others follow.
        let first = try spawn(slot: 0)
        guard await waitUntilReady(first, timeout: .seconds(300)) else {
            first.process.terminate()
            throw Failure(description: "the first worker did not become ready (see its messages above)")
        }
        workers[0] = first
        log("Portico is listening on http://\(host):\(socket.port)/ (supervisor pid \(getpid()), \(workerCount) workers)")
        for slot in 1..<max(1, workerCount) {
            let worker = try spawn(slot: slot)
            workers[slot] = worker
            if !(await waitUntilReady(worker, timeout: .seconds(120))) { log("worker \(slot) is not ready yet; it will be checked") }
        }
        var elapsed: Duration = .zero
        while !stopping {
            try? await Task.sleep(for: .milliseconds(500))
            elapsed += .milliseconds(500)
            guard !replacing, !stopping else { continue }
            if memoryLimit != nil { await checkMemory() }
            if elapsed >= healthInterval {
                elapsed = .zero
                await checkHealth()
            }
        }
        await stopAll()
        log("stopped")
    }

    // MARK: Workers

    private var busPath: String { runFolder.appendingPathComponent("cluster.bus").path }

    private func spawn(slot: Int) throws -> Worker {
        generation += 1
        let controlPath = controlSocketPath(slot: slot, generation: generation)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executablePath)
        process.arguments = workerArguments + [
            "--listen-fd", "0", "--control-socket", controlPath, "--cluster-bus", busPath, "--worker-id", String(slot),
        ]
        // The shared socket becomes the worker's standard input (descriptor 0).
        process.standardInput = FileHandle(fileDescriptor: socket.descriptor, closeOnDealloc: false)
        process.terminationHandler = { [weak self] process in
            Task { await self?.exited(process) }
        }
        try process.run()
        log("started worker \(slot) (pid \(process.processIdentifier))")
        return Worker(slot: slot, generation: generation, process: process, controlPath: controlPath, started: Date())
    }

    private func controlSocketPath(slot: Int, generation: Int) -> String {
        let path = runFolder.appendingPathComponent("worker-\(slot)-\(generation).sock").path
        // A Unix socket path must fit in 108 bytes.
        return path.utf8.count < 100 ? path : "/tmp/portico-\(getpid())-\(slot)-\(generation).sock"
    }

    /// The binary's path, read once at start: after an upgrade replaces the file, new workers
    /// (a SIGHUP rolling restart) run the new binary from the same path.
    private static let executablePath: String = {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return resolved.hasSuffix(" (deleted)") ? String(resolved.dropLast(" (deleted)".count)) : resolved
    }()

    private func exited(_ process: Process) async {
        guard let (slot, worker) = workers.first(where: { $0.value.process === process }), !worker.retiring, !stopping else { return }
        workers[slot] = nil
        let status = process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "status \(process.terminationStatus)"
        let quick = Date().timeIntervalSince(worker.started) < 10
        let deaths = quick ? (quickDeaths[slot] ?? 0) + 1 : 0
        quickDeaths[slot] = deaths
        let delay = deaths == 0 ? 0 : min(30, 1 << min(deaths - 1, 5))
        log("worker \(slot) (pid \(process.processIdentifier)) exited with \(status); starting a new one\(delay > 0 ? " in \(delay) s" : "")")
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        guard !stopping, workers[slot] == nil else { return }
        do {
            let replacement = try spawn(slot: slot)
            workers[slot] = replacement
        } catch {
            log("could not start worker \(slot): \(error)")
        }
    }

    /// Starts a new worker for the slot, waits until it is ready, then drains the old one.
    @discardableResult
    private func replace(slot: Int, reason: String, hung: Bool = false) async -> Bool {
        guard let old = workers[slot], !stopping else { return false }
        log("replacing worker \(slot) (pid \(old.process.processIdentifier)): \(reason)")
        let new: Worker
        do { new = try spawn(slot: slot) } catch {
            log("could not start a replacement for worker \(slot): \(error)")
            return false
        }
        guard await waitUntilReady(new, timeout: .seconds(120)) else {
            // (Its exit status is not read here: Foundation may trap if it is read before the
            // termination handler ran.)
            let how = new.process.isRunning ? "it is still not ready" : "it exited"
            log("the replacement for worker \(slot) did not become ready (\(how)); keeping the old one")
            new.process.terminate()
            return false
        }
        workers[slot] = new
        await retire(old, hung: hung)
        return true
    }

    private func retire(_ worker: Worker, hung: Bool) async {
        var worker = worker
        worker.retiring = true
        let pid = worker.process.processIdentifier
        kill(pid, hung ? SIGKILL : SIGTERM)
        let deadline = ContinuousClock.now + drainTimeout + .seconds(10)
        while worker.process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if worker.process.isRunning {
            log("worker \(worker.slot) (pid \(pid)) did not stop in time; killing it")
            kill(pid, SIGKILL)
        }
        unlink(worker.controlPath)
    }

    private func rollingRestart() async {
        guard !replacing, !stopping else { return }
        replacing = true
        defer { replacing = false }
        log("SIGHUP: rolling restart of \(workers.count) workers")
        for slot in workers.keys.sorted() {
            guard await replace(slot: slot, reason: "rolling restart") else {
                log("rolling restart stopped at worker \(slot)")
                return
            }
        }
        log("rolling restart done")
    }

    private func stopAll() async {
        for slot in workers.keys { workers[slot]?.retiring = true }
        for worker in workers.values { kill(worker.process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + drainTimeout + .seconds(5)
        while workers.values.contains(where: { $0.process.isRunning }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for worker in workers.values where worker.process.isRunning { kill(worker.process.processIdentifier, SIGKILL) }
        for worker in workers.values { unlink(worker.controlPath) }
    }

    // MARK: Checks

    private func checkMemory() async {
        guard let memoryLimit else { return }
        for (slot, worker) in workers.sorted(by: { $0.key < $1.key }) {
            guard let resident = Self.residentBytes(pid: worker.process.processIdentifier), resident > memoryLimit else { continue }
            replacing = true
            await replace(slot: slot, reason: "resident memory \(resident / 1_048_576) MB is over the limit of \(memoryLimit / 1_048_576) MB")
            replacing = false
        }
    }

    private func checkHealth() async {
        for slot in workers.keys.sorted() {
            guard let worker = workers[slot], worker.process.isRunning else { continue }
            let healthy = await Self.probe(worker.controlPath, timeout: 3) == 200
            guard var current = workers[slot], current.process === worker.process else { continue }
            current.failedChecks = healthy ? 0 : current.failedChecks + 1
            workers[slot] = current
            if current.failedChecks >= 3 {
                replacing = true
                await replace(slot: slot, reason: "failed \(current.failedChecks) health checks in a row", hung: true)
                replacing = false
            }
        }
    }

    private func waitUntilReady(_ worker: Worker, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !worker.process.isRunning { return false }
            if await Self.probe(worker.controlPath, timeout: 2) == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func residentBytes(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// `GET /_health/ready` on a worker's control socket; the status code, or nil.
    static func probe(_ path: String, timeout: Int) async -> Int? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: UnixSocketHTTP.status(path: path, target: "/_health/ready", timeoutSeconds: timeout))
            }
        }
    }

    // MARK: Signals and output

    private func installSignalHandlers() {
        for number in [SIGHUP, SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                Task { await self?.received(number) }
            }
            source.resume()
            signalSources.append(source)
        }
    }

    private func received(_ number: Int32) async {
        if number == SIGHUP {
            await rollingRestart()
        } else if !stopping {
            log("stopping: draining \(workers.count) workers")
            stopping = true
        }
    }

    private func log(_ text: String) {
        FileHandle.standardOutput.write(Data("supervisor: \(text)\n".utf8))
    }
}

/// A minimal blocking HTTP/1.1 GET over a Unix socket, for health checks of one worker.
enum UnixSocketHTTP {
    static func status(path: String, target: String, timeoutSeconds: Int) -> Int? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while response.count < 4096 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            response.append(contentsOf: buffer[0..<count])
            if response.contains(13) { break }  // the status line is in
        }
        let line = String(decoding: response.prefix { $0 != 13 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else { return nil }
        return Int(parts[1])
    }
}
