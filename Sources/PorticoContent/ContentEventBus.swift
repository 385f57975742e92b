public import PorticoCore
import Synchronization

/// Delivers content events to subscribers, in order, after the change has committed.
///
/// `publish` returns only when every subscriber has handled the event, so the write that
/// caused it answers its client after caches have been invalidated (the rule "no stale read
/// after a write's response").
public final class ContentEventBus: Sendable {
    public typealias Handler = @Sendable (ContentEvent) async -> Void
    private let handlers = Mutex<[Handler]>([])

    public init() {}

    public func subscribe(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    public func publish(_ event: ContentEvent) async {
        let current = handlers.withLock { $0 }
        for handler in current {
            await handler(event)
        }
    }
}
