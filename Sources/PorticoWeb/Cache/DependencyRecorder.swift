import PorticoCache
import PorticoCore
import Synchronization

/// Collects what a response was rendered from, so the cache can evict it when that changes.
/// The views record as they read; requests that are not cached carry none.
public final class DependencyRecorder: Sendable {
    private let recorded = Mutex<Set<Dependency>>([])

    public init() {}

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
}
