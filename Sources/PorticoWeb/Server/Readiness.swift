import Synchronization

/// Whether this process should be sent traffic: `/_health/ready` answers 200 only while
/// ready. A node becomes ready once its store answered; it stops being ready when it starts
/// draining, so that a balancer or supervisor routes around it before it closes.
public final class Readiness: Sendable {
    public enum State: String, Sendable {
        case starting, ready, draining
    }

    private let value = Mutex(State.starting)

    public init() {}

    public var state: State { value.withLock { $0 } }

    public func set(_ state: State) {
        value.withLock { $0 = state }
    }
}
