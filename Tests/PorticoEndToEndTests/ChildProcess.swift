import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for the end-to-end tests.
///
/// Why not Foundation's `Process`: on Linux, `Process.run()` lists `/proc/self/fd` to find the
/// descriptors to close in the child, and copies each entry's whole 256-byte name field out of
/// `readdir`'s 32 KB buffer. An entry near the end of that buffer is read past it
/// (AddressSanitizer: heap-buffer-overflow in `findMaximumOpenFromProcSelfFD`). That happens
/// only when about 1,350 or more descriptors are open, and this test process has that many
/// (the other tests' databases, running in parallel): a CI run crashed there with SIGSEGV.
/// (The supervisor of `portico serve` still uses `Process`: it holds a handful of descriptors,
/// so the listing never gets near the end of the buffer.)
///
/// Standard streams are /dev/null, the test's own, or pipes whose reading ends are exposed
/// here. Every other descriptor is closed in the child, as `Process` does, where glibc has
/// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Debian 12 has 2.36); elsewhere
/// only close-on-exec descriptors are (SQLite's files, NIO's sockets and these pipes are).
final class ChildProcess: @unchecked Sendable {
    /// Where a child's standard stream goes.
    enum Stream {
        case null
        case inherit
        /// A new pipe; its other end is `input`, `output` or `errorOutput`.
        case pipe
        /// Standard error only: the same pipe as standard output.
        case sameAsOutput
    }

    let processIdentifier: pid_t
    /// The writing end of the child's standard input, when it is a pipe.
    let input: FileHandle?
    /// The reading end of the child's standard output, when it is a pipe.
    let output: FileHandle?
    /// The reading end of the child's standard error, when it is a separate pipe.
    let errorOutput: FileHandle?

    private let status = Locked<Int32?>(nil)

    struct SpawnFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Spawns `executable` now. `environment` is added to (and overrides) this process's own.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         input inputStream: Stream = .null, output outputStream: Stream = .null, error errorStream: Stream = .null) throws {
        // One spawn at a time: a pipe made for one child must be marked close-on-exec before
        // another child is spawned, or that child would hold it open (and its reader never
        // see the end).
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        var outputWriteEnd: Int32?

        /// Sets up the child's descriptor `target` (0, 1 or 2); this side of its pipe, if any.
        func redirect(_ stream: Stream, to target: Int32) throws -> FileHandle? {
            switch stream {
            case .inherit:
                return nil
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                return nil
            case .sameAsOutput:
                guard target == 2, let outputWriteEnd else {
                    throw SpawnFailure(description: "only standard error can follow standard output, and only when that is a pipe")
                }
                posix_spawn_file_actions_adddup2(&actions, outputWriteEnd, 2)
                return nil
            case .pipe:
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else { throw SpawnFailure(description: "pipe: \(String(cString: strerror(errno)))") }
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                // The child reads its standard input and writes the others.
                let (childEnd, ourEnd) = target == 0 ? (fds[0], fds[1]) : (fds[1], fds[0])
                childEnds.append(childEnd)
                if target == 1 { outputWriteEnd = childEnd }
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
                return FileHandle(fileDescriptor: ourEnd, closeOnDealloc: true)
            }
        }
        let inputHandle = try redirect(inputStream, to: 0)
        let outputHandle = try redirect(outputStream, to: 1)
        let errorHandle = try redirect(errorStream, to: 2)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        let environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // The child starts with no blocked signals and every signal at its default action
        // (a Dispatch thread spawning it may block some, and this process ignores SIGPIPE).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(code)))") }
        processIdentifier = pid
        input = inputHandle
        output = outputHandle
        errorOutput = errorHandle
    }

    deinit { terminate() }

    /// Whether the child has not ended yet (it is reaped, and its status kept, once it has).
    var isRunning: Bool { exitStatus == nil }

    /// The exit code, or the signal that ended it, like `Process.terminationStatus`; nil while it runs.
    var exitStatus: Int32? {
        status.withLock { known in
            if let known { return known }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return nil }
            let signal = raw & 0x7f
            known = signal == 0 ? (raw >> 8) & 0xff : signal
            return known
        }
    }

    /// SIGTERM, if it is still running.
    func terminate() { send(SIGTERM) }

    /// Sends a signal, if it is still running (a reaped child's number may be reused).
    func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Waits (polling, without holding a thread) until it ends; its status, or nil on timeout.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(120)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }

    /// The same, blocking the calling thread.
    @discardableResult
    func waitForExitBlocking(timeout: TimeInterval = 120) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            usleep(10_000)
        }
        return exitStatus
    }

    private static let spawning = NSLock()

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's
    /// Glibc module does not declare.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}
