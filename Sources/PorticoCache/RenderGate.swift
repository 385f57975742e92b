import Foundation
import Synchronization

/// Bounds the number of renders in flight, so that a spike queues briefly and then sheds
/// instead of piling up, while logged-in editors keep reserved capacity.
///
/// Anonymous requests may use `capacity - editorReserve` slots; editors may use all of them.
/// A request that finds no free slot waits in a bounded queue for at most `maximumWait`;
/// after that, or when the queue is full, it is refused (the caller serves the panic page).
public final class RenderGate: Sendable {
    public let capacity: Int
    public let editorReserve: Int
    public let maximumQueue: Int
    public let maximumWait: Duration

    private struct Waiter {
        var id: UInt64
        var isEditor: Bool
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var anonymous = 0
        var editors = 0
        var queue: [Waiter] = []
        var nextID: UInt64 = 0

        var total: Int { anonymous + editors }

        /// Editors may use every slot; anonymous requests at most `capacity - reserve` of them.
        func mayEnter(isEditor: Bool, capacity: Int, reserve: Int) -> Bool {
            isEditor ? total < capacity : (total < capacity && anonymous < capacity - reserve)
        }

        mutating func take(isEditor: Bool) {
            if isEditor { editors += 1 } else { anonymous += 1 }
        }
    }

    private let state = Mutex(State())

    public init(capacity: Int, editorReserve: Int, maximumQueue: Int, maximumWait: Duration) {
        self.capacity = max(1, capacity)
        self.editorReserve = min(max(0, editorReserve), max(0, capacity - 1))
        self.maximumQueue = max(0, maximumQueue)
        self.maximumWait = maximumWait
    }

    /// Renders running now.
    public var inFlight: Int { state.withLock { $0.total } }

    /// Waits for a slot; false when the request must be shed. Call `leave()` after a true.
    public func enter(isEditor: Bool) async -> Bool {
        let id: UInt64? = state.withLock { state in
            if state.mayEnter(isEditor: isEditor, capacity: capacity, reserve: editorReserve) {
                state.take(isEditor: isEditor)
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        return await withCheckedContinuation { continuation in
            let queued: Bool = state.withLock { state in
                // A slot may have been freed meanwhile.
                if state.mayEnter(isEditor: isEditor, capacity: capacity, reserve: editorReserve) {
                    state.take(isEditor: isEditor)
                    continuation.resume(returning: true)
                    return true
                }
                let waitingOfKind = state.queue.filter { $0.isEditor == isEditor }.count
                guard waitingOfKind < maximumQueue else {
                    continuation.resume(returning: false)
                    return true
                }
                state.queue.append(Waiter(id: id, isEditor: isEditor, continuation: continuation))
                return false
            }
            guard !queued else { return }
            let wait = maximumWait
            Task {
                try? await Task.sleep(for: wait)
                self.timeOut(id)
            }
        }
    }

    /// Frees the slot taken by a successful `enter(isEditor:)`, and hands it to the first
    /// waiter that may use it (editors first).
    public func leave(isEditor: Bool) {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            if isEditor { state.editors -= 1 } else { state.anonymous -= 1 }
            let current = state
            let editorIndex = state.queue.firstIndex { $0.isEditor && current.mayEnter(isEditor: true, capacity: capacity, reserve: editorReserve) }
            let anonymousIndex = state.queue.firstIndex { !$0.isEditor && current.mayEnter(isEditor: false, capacity: capacity, reserve: editorReserve) }
            guard let index = editorIndex ?? anonymousIndex else { return nil }
            let waiter = state.queue.remove(at: index)
            state.take(isEditor: waiter.isEditor)
            return waiter.continuation
        }
        next?.resume(returning: true)
    }

    private func timeOut(_ id: UInt64) {
        let expired: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
            return state.queue.remove(at: index).continuation
        }
        expired?.resume(returning: false)
    }
}
