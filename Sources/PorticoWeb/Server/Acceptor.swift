import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections on a listening socket that other processes may share, on a thread
/// of its own, and hands each accepted descriptor on.
///
/// SwiftNIO's own accept loop assumes it is the only reader of its socket (it asserts that a
/// readable socket yields a connection, which is false when a sibling worker won the race).
/// Here every worker polls the shared socket and accepts without blocking; the loser of a
/// race simply sees EAGAIN. Stopping is prompt (the poll times out every 100 ms) and closes
/// only this process's descriptor, so connections queued on a shared socket go to the other
/// workers.
final class Acceptor: Sendable {
    private let descriptor: Int32
    private let stopped = Atomic<Bool>(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    }

    /// The accepted descriptors, until `stop()`.
    func connections() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let descriptor = self.descriptor
        let thread = Thread { [self] in
            var failures = 0
            while !stopped.load(ordering: .acquiring) {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                let connection = accept(descriptor, nil, nil)
                if connection >= 0 {
                    _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                    failures = 0
                    continuation.yield(connection)
                } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED {
                    // Out of descriptors or memory: back off rather than spin.
                    failures += 1
                    usleep(UInt32(min(failures, 100)) * 1000)
                }
            }
            // Our descriptor only: a supervisor and sibling workers keep the socket open, so
            // connections queued on it wait for them; a lone server now refuses new ones.
            close(descriptor)
            continuation.finish()
        }
        thread.name = "portico-accept"
        thread.start()
        return stream
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
    }
}
