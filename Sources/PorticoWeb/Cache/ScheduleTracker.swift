import Foundation
import PorticoCore
import PorticoStore
import Synchronization

/// Knows, per site, when the next scheduled publication or expiry happens, so that cached
/// responses are never served past that moment ("a page whose effective date passes appears
/// on its own, and caches reflect it on time"). One indexed query per site, remembered until
/// that moment passes or the site's content changes.
final class ScheduleTracker: Sendable {
    private struct Known {
        var next: Date?
        /// The moment the answer is for: it holds for callers from then until `validUntil`
        /// (a caller asking about an earlier moment may have a change in between).
        var askedAt: Date
        var validUntil: Date
    }

    private typealias State = (answers: [SiteID: Known], versions: [SiteID: UInt64], epoch: UInt64)
    private let known = Mutex<State>(([:], [:], 0))

    /// Where a site's content stands for this tracker: it changes whenever the site's content
    /// may have changed (a write here, a message from another worker, a change the site watcher
    /// saw, missed cluster messages). Data read under one stamp may be reused while the stamp
    /// stays the same (`PageReadsCache`).
    struct Stamp: Equatable, Sendable {
        let epoch: UInt64
        let version: UInt64
    }

    func stamp(of site: SiteID) -> Stamp {
        known.withLock { Self.stamp(of: site, in: $0) }
    }

    private static func stamp(of site: SiteID, in state: State) -> Stamp {
        Stamp(epoch: state.epoch, version: state.versions[site] ?? 0)
    }
    let store: any ContentStore

    init(store: any ContentStore) {
        self.store = store
    }

    func nextChange(site: SiteID, after now: Date) async -> Date? {
        let (cached, stamp) = known.withLock { ($0.answers[site], Self.stamp(of: site, in: $0)) }
        if let cached, cached.askedAt <= now, now < cached.validUntil { return cached.next }
        // Without an answer (the site could not be read), cache nothing for long: a minute at
        // most. No scheduled change at all is an answer: nil.
        let next: Date?
        do {
            next = try await store.content(of: site).nextScheduledChange(after: now)
        } catch {
            next = now.addingTimeInterval(60)
        }
        known.withLock { state in
            // A change that happened while we asked makes this answer unsafe to keep.
            if Self.stamp(of: site, in: state) == stamp {
                state.answers[site] = Known(next: next, askedAt: now, validUntil: next ?? now.addingTimeInterval(3600))
            }
        }
        return next
    }

    /// Forgets everything known (another process's changes were missed).
    func forgetAll() {
        known.withLock { state in
            for site in state.answers.keys { state.versions[site, default: 0] += 1 }
            state.answers.removeAll()
            state.epoch += 1
        }
    }

    /// Forgets what is known for a site (its content changed).
    func forget(_ site: SiteID) {
        known.withLock { state in
            state.answers[site] = nil
            state.versions[site, default: 0] += 1
        }
    }
}
