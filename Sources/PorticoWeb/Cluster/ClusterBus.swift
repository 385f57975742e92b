import Foundation

/// What the processes serving one platform tell each other so that none serves content a
/// write changed: today the worker processes of one node (`SharedMemoryBus`); later several
/// nodes sharing PostgreSQL (LISTEN/NOTIFY).
public protocol ClusterBus: Sendable {
    /// Sends a message to every process, this one included. Returns once it is visible to
    /// any request that starts afterwards.
    func publish(_ payload: [UInt8]) throws
    /// Whether messages arrived since the last `receive()` (cheap: called on every request).
    var hasNews: Bool { get }
    /// The messages that arrived since the last call.
    func receive() -> ClusterReceipt
}

public enum ClusterReceipt: Sendable, Equatable {
    case messages([[UInt8]])
    /// Messages were missed (this process fell too far behind): assume everything changed.
    case lost
}
