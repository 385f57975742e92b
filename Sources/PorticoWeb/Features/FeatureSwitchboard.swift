public import Logging
public import PorticoCore
public import PorticoStore
public import ServiceLifecycle
import Synchronization

/// The feature switches as this process sees them: a snapshot in memory, so that asking
/// "are feeds on?" on every request costs a lock and no query.
///
/// Several processes share one data folder (a supervisor's workers, and `portico flags set` in
/// yet another), so the snapshot is reloaded from the store every `refreshInterval` while the
/// switchboard runs as a `Service` in `portico serve`. A change made through this process
/// (`set`) applies at once. Built many times in tests, it starts no task of its own: nothing
/// runs in the background unless `run()` is called.
public final class FeatureSwitchboard: Sendable {
    private struct State {
        var flags: FeatureFlags
        /// Orders concurrent reloads: a reload that started earlier never overwrites a later one.
        var lastTicket: UInt64 = 0
        var appliedTicket: UInt64 = 0
        /// Whether the last reload failed, so that a broken store is logged once, not every second.
        var failing = false
    }

    private let state = Mutex(State(flags: .allOn))
    let store: any ContentStore
    let clock: any PorticoClock
    let logger: Logger
    public let refreshInterval: Duration
    /// Called after the on/off state changed in this process (wherever the change came from),
    /// with the flags before and after. Used to evict cached responses that a flag affects.
    let onChange: @Sendable (_ before: FeatureFlags, _ after: FeatureFlags) -> Void

    public init(store: any ContentStore, clock: any PorticoClock = SystemClock(), refreshInterval: Duration = .seconds(1), logger: Logger = Logger(label: "portico.flags"),
                onChange: @escaping @Sendable (_ before: FeatureFlags, _ after: FeatureFlags) -> Void = { _, _ in }) {
        self.store = store
        self.clock = clock
        self.refreshInterval = refreshInterval
        self.logger = logger
        self.onChange = onChange
    }

    /// The current switches.
    public var flags: FeatureFlags { state.withLock { $0.flags } }

    public func isOn(_ flag: FeatureFlag) -> Bool { state.withLock { $0.flags.isOn(flag) } }

    /// Throws `.switchedOff(flag)` when the feature is off: routes call this first, and the
    /// error middleware answers the themed notice.
    public func require(_ flag: FeatureFlag) throws {
        guard isOn(flag) else { throw PorticoError.switchedOff(flag) }
    }

    /// Reloads the switches from the store (what other processes changed).
    public func refresh() async throws {
        let ticket = state.withLock { state -> UInt64 in
            state.lastTicket += 1
            return state.lastTicket
        }
        let loaded = try await store.featureFlags()
        let before = state.withLock { state -> FeatureFlags? in
            guard ticket > state.appliedTicket else { return nil }
            state.appliedTicket = ticket
            let before = state.flags
            state.flags = loaded
            return before
        }
        if let before, before.switchedOff != loaded.switchedOff {
            logger.notice("feature switches changed", metadata: ["off": "\(loaded.switchedOff.map(\.name).joined(separator: ","))"])
            onChange(before, loaded)
        }
    }

    /// Switches a feature on or off for every process: stored, then applied here at once
    /// (the others follow within `refreshInterval`). Only platform administrators and the
    /// platform itself (the CLI) may. `actor` is recorded as who changed it.
    public func set(_ flag: FeatureFlag, enabled: Bool, by principal: Principal, actor: String) async throws {
        guard principal.isAdministrator else { throw PorticoError.forbidden("only platform administrators may switch features") }
        try await store.setFeatureFlag(flag, enabled: enabled, by: actor, at: clock.now().roundedToMilliseconds)
        try await refresh()
    }

    /// One reload for the background loop: failures keep the last known switches.
    func refreshLoggingFailures() async {
        do {
            try await refresh()
            let recovered = state.withLock { state -> Bool in
                defer { state.failing = false }
                return state.failing
            }
            if recovered { logger.notice("feature switches can be read again") }
        } catch {
            let first = state.withLock { state -> Bool in
                defer { state.failing = true }
                return !state.failing
            }
            if first { logger.error("cannot read the feature switches; keeping the last known ones", metadata: ["error": "\(error)"]) }
        }
    }
}

/// As a service (in `portico serve`'s group) the switchboard reloads every `refreshInterval`
/// until shutdown or cancellation.
extension FeatureSwitchboard: Service {
    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: refreshInterval)
                } catch {
                    return  // cancelled: shutting down
                }
                await refreshLoggingFailures()
            }
        }
    }
}
