import Dispatch
import HummingbirdBcrypt

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

    private static let queue = DispatchQueue(label: "portico.bcrypt", attributes: .concurrent)

    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
