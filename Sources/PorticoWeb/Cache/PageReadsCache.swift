import Foundation
import PorticoCore
import PorticoStore
import Synchronization

/// The first reads of public pages (the item at a path, its ancestors, the site navigation and
/// a small folder's children) and the home page's lists, reused across requests until the
/// site's content changes.
///
/// Those reads were about 40 % of the CPU of a page rendered without the response cache: a
/// read transaction, five statements and the decoding of their rows. What they return changes
/// only when the site's content changes or a scheduled publication or expiry comes due. So each
/// entry keeps the site's `ScheduleTracker.Stamp` it was read under, and the time of the site's
/// next scheduled change. Every write (made here, by another worker, or seen by the site
/// watcher) changes the stamp before the write's response is sent, exactly when the response
/// cache is invalidated, so a request that starts after a write never gets older reads. An
/// entry also lives at most `maximumAge`: a change made behind the server's back (a command
/// editing a site's database while it runs) is seen within that time, as in the response cache.
///
/// Only reads made as the public sees them (anonymous visitors, users without a role in the
/// site) are kept: they are the same for everyone. Paths with no item are not kept. A list
/// may bound its entry further (upcoming events: until the first listed one ends). Bounded
/// in bytes (`cache.page_data_size`); when full, arbitrary entries make room.
final class PageReadsCache: Sendable {
    private struct Key: Hashable {
        let site: SiteID
        /// "/path" for a page's reads, a list's own name otherwise (never starting with "/").
        let name: String
    }

    private enum Kept {
        case page(PageReads)
        case items([Item])
    }

    private struct Entry {
        let kept: Kept
        let stamp: ScheduleTracker.Stamp
        /// The entry answers for times from the read to the next scheduled change (or its maximum age).
        let readAt: Date
        let validUntil: Date
        let bytes: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    let capacityBytes: Int
    let maximumAge: TimeInterval
    let schedule: ScheduleTracker

    init(capacityBytes: Int, maximumAge: TimeInterval, schedule: ScheduleTracker) {
        self.capacityBytes = max(0, capacityBytes)
        self.maximumAge = maximumAge
        self.schedule = schedule
    }

    /// The reads for `path` in `site` at `now`: kept ones while they are current, else `read()`'s.
    func reads(site: SiteID, path: String, now: Date, read: () async throws -> PageReads) async throws -> PageReads {
        try await kept(Key(site: site, name: path), now: now, wrap: Kept.page, unwrap: { kept in
            if case .page(let reads) = kept { return reads } else { return nil }
        }, keep: { reads in
            reads.item == nil ? nil : (Self.estimatedBytes(of: [reads.item.map { [$0] }, reads.ancestors, reads.navigation, reads.children]), nil)
        }, read: read)
    }

    /// A public list of `site` named `name` (such as the home page's latest news) at `now`, kept
    /// like a page's reads; `until` may end its entry sooner (at the first listed event's end).
    func items(site: SiteID, name: String, now: Date, until: @escaping ([Item]) -> Date? = { _ in nil }, read: () async throws -> [Item]) async throws -> [Item] {
        precondition(!name.hasPrefix("/"), "list names never start with a slash; paths do")
        return try await kept(Key(site: site, name: name), now: now, wrap: Kept.items, unwrap: { kept in
            if case .items(let items) = kept { return items } else { return nil }
        }, keep: { items in (Self.estimatedBytes(of: [items]), until(items)) }, read: read)
    }

    /// Looks `key` up; on a miss reads, and keeps what `keep` allows (its size, and an earlier
    /// end than the site's next scheduled change and `maximumAge`, if any).
    private func kept<Value>(_ key: Key, now: Date, wrap: (Value) -> Kept, unwrap: (Kept) -> Value?,
                             keep: (Value) -> (bytes: Int, until: Date?)?, read: () async throws -> Value) async throws -> Value {
        guard capacityBytes > 0 else { return try await read() }
        let stamp = schedule.stamp(of: key.site)
        let found: Value? = state.withLock { state in
            guard let entry = state.entries[key], entry.stamp == stamp, entry.readAt <= now, now < entry.validUntil, let value = unwrap(entry.kept) else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return value
        }
        if let found { return found }
        let value = try await read()
        guard let (bytes, until) = keep(value) else { return value }
        var validUntil = now.addingTimeInterval(maximumAge)
        if let next = await schedule.nextChange(site: key.site, after: now), next < validUntil { validUntil = next }
        if let until, until < validUntil { validUntil = until }
        // Kept only if nothing changed in the site since before the read began.
        guard bytes <= capacityBytes / 4, schedule.stamp(of: key.site) == stamp else { return value }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.bytes }
            while state.bytes + bytes > capacityBytes, let victim = state.entries.first {
                state.entries.removeValue(forKey: victim.key)
                state.bytes -= victim.value.bytes
            }
            state.entries[key] = Entry(kept: wrap(value), stamp: stamp, readAt: now, validUntil: validUntil, bytes: bytes)
            state.bytes += bytes
        }
        return value
    }

    /// Reads answered from kept entries, and the others, since start (for metrics and tests).
    var counts: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }

    /// Bytes of the entries held, as estimated.
    var storedBytes: Int { state.withLock { $0.bytes } }

    /// The text the items hold, plus a fixed amount per item for the rest.
    static func estimatedBytes(of groups: [[Item]?]) -> Int {
        groups.reduce(256) { total, group in
            (group ?? []).reduce(total) { total, item in
                total + 400 + item.title.utf8.count + item.description.utf8.count + item.body.utf8.count + item.bodyHTML.utf8.count + item.path.utf8.count
            }
        }
    }
}
