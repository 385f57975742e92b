import Dispatch
import HummingbirdBcrypt
import Synchronization

/// bcrypt, run on a dispatch thread of its own.
///
/// A bcrypt hash or check takes a fifth of a second of CPU by design. Run inline it would hold
/// the thread it runs on: a thread of Swift's small cooperative pool, or the event loop of
/// every connection sharing it (cache hits included, since Portico's server runs requests on
/// their connection's event loop).
enum PasswordHashing {
    static func hash(_ password: String, cost: UInt8) async -> String {
        await offThread { Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, hash: String) async -> Bool {
        await offThread { Bcrypt.verify(password, hash: hash) }
    }

    /// Two serial queues, used in turn: at most two hashes at once, so that a flood of logins
    /// cannot take more than two cores' worth of threads from the rest of the server.
    private static let queues = [DispatchQueue(label: "portico.bcrypt.1"), DispatchQueue(label: "portico.bcrypt.2")]
    private static let turn = Atomic<Int>(0)

    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let queue = queues[turn.add(1, ordering: .relaxed).newValue % queues.count]
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
