import Synchronization

/// Runs one piece of work per key at a time: concurrent callers for the same key wait for the
/// first one's result instead of repeating the work (no thundering herd on a cache miss).
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private enum Outcome: Sendable {
        case lead
        case shared(Value)
    }

    private let waiting = Mutex<[Key: [CheckedContinuation<Outcome, any Error>]]>([:])

    public init() {}

    /// Returns `work()`'s result; `shared` is true when this caller waited for another's work.
    public func run(_ key: Key, _ work: () async throws -> Value) async throws -> (value: Value, shared: Bool) {
        // Either become the leader for this key, or wait for the leader's outcome. The check and
        // the registration happen under one lock, so no result can slip between them.
        let outcome: Outcome = try await withCheckedThrowingContinuation { continuation in
            let isLeader = waiting.withLock { waiting -> Bool in
                if waiting[key] != nil {
                    waiting[key]!.append(continuation)
                    return false
                }
                waiting[key] = []
                return true
            }
            if isLeader { continuation.resume(returning: .lead) }
        }
        if case .shared(let value) = outcome { return (value, true) }
        do {
            let value = try await work()
            for waiter in finish(key) { waiter.resume(returning: .shared(value)) }
            return (value, false)
        } catch {
            for waiter in finish(key) { waiter.resume(throwing: error) }
            throw error
        }
    }

    /// Whether work for `key` is under way now.
    public func isRunning(_ key: Key) -> Bool {
        waiting.withLock { $0[key] != nil }
    }

    private func finish(_ key: Key) -> [CheckedContinuation<Outcome, any Error>] {
        waiting.withLock { $0.removeValue(forKey: key) ?? [] }
    }
}
