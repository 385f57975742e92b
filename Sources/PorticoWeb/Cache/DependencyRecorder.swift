import Foundation
import PorticoCache
import PorticoCore
import Synchronization

/// Collects what a response was rendered from, so the cache can evict it when that changes.
/// The views record as they read; requests that are not cached carry none.
public final class DependencyRecorder: Sendable {
    private let recorded = Mutex<Set<Dependency>>([])
    private let expiry = Mutex<Date?>(nil)

    public init() {}

    /// Records a moment after which the response is out of date although nothing was written
    /// (the home page's upcoming events, once the first of them ends); the earliest one counts.
    public func expires(at date: Date) {
        expiry.withLock { current in current = min(current ?? date, date) }
    }

    /// The earliest moment recorded by `expires(at:)`, if any.
    public var expiresAt: Date? { expiry.withLock { $0 } }

    public func record(_ dependency: Dependency) {
        recorded.withLock { _ = $0.insert(dependency) }
    }

    public func record(_ dependencies: some Sequence<Dependency>) {
        recorded.withLock { $0.formUnion(dependencies) }
    }

    public var all: Set<Dependency> { recorded.withLock { $0 } }
}

extension PorticoRequestContext {
    /// Records that the response shows `item` in full.
    func dependsOn(item: Item) { dependencies?.record(.item(item.id)) }

    /// Records that the response shows these items' summaries (listings, navigation, breadcrumbs).
    func dependsOn(summaries items: [Item]) { dependencies?.record(items.map { .summary($0.id) }) }

    func dependsOn(_ dependency: Dependency) { dependencies?.record(dependency) }

    /// Records that the response is out of date at `date` (if any) even without a write.
    func shownUntil(_ date: Date?) {
        if let date { dependencies?.expires(at: date) }
    }
}
