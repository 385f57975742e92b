#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
public import ServiceLifecycle
import Synchronization

/// One line per request, in logfmt:
///
/// ```
/// ts=2025-11-23T05:05:05.123Z id=5f0c…0001 site=demo method=GET path=/news status=200 ms=1.204 cache=HIT user=-
/// ```
///
/// A node may answer 20,000 requests a second, so lines are not written one by one through a
/// log handler: they are appended to a buffer under a lock and written in blocks, when the
/// buffer passes 64 KiB, every 200 ms, and on shutdown. A line never holds a query string (it
/// may carry a token), a cookie, a password or a session id: see `AccessLogEntry`.
public final class AccessLog: Sendable {
    public enum Destination: Sendable, Equatable {
        case standardOutput
        /// A file, created if needed and appended to (several workers may share it).
        case file(String)
        case off
    }

    public struct OpenFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let destination: Destination
    /// Whether lines are recorded at all; callers skip their own work when not.
    public let isEnabled: Bool
    private let bufferLimit: Int
    private let pending = Mutex<[UInt8]>([])
    /// The output, locked for the whole of a write so that blocks keep their order.
    private let output: Mutex<FileHandle?>
    private let flusher = Mutex<Task<Void, Never>?>(nil)
    private let stopped = Atomic<Bool>(false)
    private let reportedFailure = Atomic<Bool>(false)
    private let nextID = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))
    private let idPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)

    /// An access log that records nothing (the default, so that tests stay quiet).
    public static let disabled = AccessLog(handle: nil, destination: .off, flushInterval: .milliseconds(200), bufferLimit: 0)

    /// Opens the destination. Throws `OpenFailure` when a log file cannot be opened for
    /// appending, so that a node refuses to start rather than lose its log.
    public convenience init(destination: Destination, flushInterval: Duration = .milliseconds(200), bufferLimit: Int = 64 * 1024) throws {
        let handle: FileHandle?
        switch destination {
        case .off:
            handle = nil
        case .standardOutput:
            handle = FileHandle.standardOutput
        case .file(let path):
            let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw OpenFailure(description: "cannot open the access log \(path): \(String(cString: strerror(errno)))")
            }
            handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }
        self.init(handle: handle, destination: destination, flushInterval: flushInterval, bufferLimit: bufferLimit)
    }

    private init(handle: FileHandle?, destination: Destination, flushInterval: Duration, bufferLimit: Int) {
        self.destination = destination
        self.isEnabled = handle != nil
        self.bufferLimit = bufferLimit
        self.output = Mutex(handle)
        guard handle != nil else { return }
        pending.withLock { $0.reserveCapacity(bufferLimit + 4096) }
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: flushInterval)
                guard let self else { return }
                self.flush()
            }
        }
        flusher.withLock { $0 = task }
    }

    deinit {
        flusher.withLock { $0?.cancel() }
        flush()
    }

    /// Records one request. Never blocks on I/O unless the buffer is full (or the log was
    /// shut down), in which case the caller writes the block: that is the back-pressure.
    public func record(_ entry: AccessLogEntry) {
        guard isEnabled else { return }
        let line = Self.line(entry, at: Date())
        let full = pending.withLock { bytes in
            bytes.append(contentsOf: line)
            return bytes.count >= bufferLimit
        }
        if full || stopped.load(ordering: .relaxed) { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        output.withLock { handle in
            guard let handle else { return }
            var block: [UInt8] = []
            pending.withLock { bytes in
                guard !bytes.isEmpty else { return }
                swap(&block, &bytes)
                bytes.reserveCapacity(bufferLimit + 4096)
            }
            guard !block.isEmpty else { return }
            do {
                try Self.write(block, to: handle)
            } catch {
                // Reported once on standard error: a log that cannot be written must not
                // take the node down, nor flood the other log.
                if !reportedFailure.exchange(true, ordering: .relaxed) {
                    FileHandle.standardError.write(Data("portico: cannot write the access log: \(error)\n".utf8))
                }
            }
        }
    }

    /// Stops the periodic flush and writes what is buffered. Lines recorded afterwards (a
    /// request finishing while the server drains) are written at once.
    public func shutdown() {
        stopped.store(true, ordering: .relaxed)
        flusher.withLock { task in
            task?.cancel()
            task = nil
        }
        flush()
    }

    /// Writes in pieces of at most `PIPE_BUF` bytes that end at a line's end: such a write is
    /// atomic on a pipe and on a file opened for appending, so workers that share standard
    /// output or a log file never interleave their lines.
    private static func write(_ block: [UInt8], to handle: FileHandle) throws {
        let atomicSize = 4096
        var start = 0
        while start < block.count {
            var end = min(start + atomicSize, block.count)
            if end < block.count, let newline = block[start..<end].lastIndex(of: UInt8(ascii: "\n")) {
                end = newline + 1
            }
            try handle.write(contentsOf: block[start..<end])
            start = end
        }
    }

    /// A fresh request id, for requests that have none yet (answered before Hummingbird).
    public func makeRequestID() -> String {
        let number = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let hex = String(number, radix: 16)
        return idPrefix + String(repeating: "0", count: max(0, 16 - hex.utf8.count)) + hex
    }
}

extension AccessLog.Destination {
    /// Reads the `log.access` setting: "stdout", "off", or a file path.
    public init(setting: String) {
        switch setting.lowercased() {
        case "stdout", "-": self = .standardOutput
        case "off", "": self = .off
        default: self = .file(setting)
        }
    }
}

/// As a service the access log is shut down with the others, after the HTTP server stopped
/// (list it before the server in the service group), so that the last lines are written.
extension AccessLog: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }
}
