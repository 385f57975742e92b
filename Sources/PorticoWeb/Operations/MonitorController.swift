import Foundation
import Hummingbird
import HTTPTypes
import PorticoCache
import PorticoCore
import PorticoStore

/// The monitoring views: short plain-text answers for alerting scripts and load balancers
/// (`curl -s …/_monitor/db | grep -q ^ServiceOK`). Platform-level: they answer on any host,
/// before site resolution, and are never cached. Loopback or monitor token only.
///
/// - `/_monitor/db`: `ServiceOK: N sites, M users`, or `ServiceKO: reason` (503).
/// - `/_monitor/pool`: how full the open-sites LRU, the connection pools and the render slots are.
/// - `/_monitor/version`: the code version and the schema of every database against the one
///   the code expects: `OK: …`, or one `KO: site <id> …` line per mismatch (503).
/// - `/_monitor/hostname`: which node answered (host name, then process id).
struct MonitorController: Sendable {
    let store: any ContentStore
    let gate: RenderGate
    let token: String?

    init(services: PorticoServices) {
        self.store = services.store
        self.gate = services.gate
        self.token = services.monitorToken
    }

    private func allowed(_ request: Request, _ context: PorticoRequestContext) -> Bool {
        MonitorAccess.allows(request, clientAddress: context.clientAddress, token: token)
    }

    func db(_ request: Request, context: PorticoRequestContext) async -> Response {
        guard allowed(request, context) else { return MonitorAccess.refusal("monitor views") }
        do {
            let sites = try await store.sites().count
            let users = try await store.userCount()
            return MonitorText.response("ServiceOK: \(sites) sites, \(users) users")
        } catch {
            return MonitorText.response("ServiceKO: \(Self.oneLine(error))", status: .serviceUnavailable)
        }
    }

    func pool(_ request: Request, context: PorticoRequestContext) -> Response {
        guard allowed(request, context) else { return MonitorAccess.refusal("monitor views") }
        var lines: [String] = []
        if let monitoring = store as? any StoreMonitoring {
            let pools = monitoring.connectionPools
            lines.append("open_sites " + Self.usage(pools.openSites, of: pools.openSitesCapacity))
            // Connections are opened lazily: this is the most that may be open now.
            lines.append("db_connections_max " + Self.usage(pools.connections, of: pools.connectionCapacity))
            lines.append("db_platform_readers \(pools.platformReaders)")
            lines.append("db_readers_per_site \(pools.readersPerSite)")
        } else {
            lines.append("store_pools not reported by this store")
        }
        lines.append("renders " + Self.usage(gate.inFlight, of: gate.capacity))
        return MonitorText.response(lines.joined(separator: "\n"))
    }

    func version(_ request: Request, context: PorticoRequestContext) async -> Response {
        guard allowed(request, context) else { return MonitorAccess.refusal("monitor views") }
        guard let monitoring = store as? any StoreMonitoring else {
            return MonitorText.response("OK: version \(PorticoVersion.string), schema not reported by this store")
        }
        let report: StoreSchemaReport
        do {
            report = try await monitoring.schemaVersions()
        } catch {
            return MonitorText.response("KO: schema versions cannot be read: \(Self.oneLine(error))", status: .serviceUnavailable)
        }
        let summary = "version \(PorticoVersion.string), schema platform=\(report.expectedPlatform.count) site=\(report.expectedSite.count), \(report.sites.count) sites checked"
        var problems: [String] = []
        if !report.platform.matches(expected: report.expectedPlatform) {
            problems.append("KO: platform " + Self.describe(report.platform, expected: report.expectedPlatform))
        }
        for site in report.mismatchedSites {
            problems.append("KO: site \(site.site) " + Self.describe(site.recorded, expected: report.expectedSite))
        }
        guard problems.isEmpty else {
            return MonitorText.response((problems + [summary]).joined(separator: "\n"), status: .serviceUnavailable)
        }
        return MonitorText.response("OK: " + summary)
    }

    func hostname(_ request: Request, context: PorticoRequestContext) -> Response {
        guard allowed(request, context) else { return MonitorAccess.refusal("monitor views") }
        let process = ProcessInfo.processInfo
        return MonitorText.response("\(process.hostName)\npid \(process.processIdentifier)")
    }

    /// Any other `/_monitor/…` path: the list of views, so a typo is answered helpfully.
    func unknown(_ request: Request, context: PorticoRequestContext) -> Response {
        guard allowed(request, context) else { return MonitorAccess.refusal("monitor views") }
        return MonitorText.response("no such monitor view; try /_monitor/db, /_monitor/pool, /_monitor/version or /_monitor/hostname", status: .notFound)
    }

    /// "has schema 3 (unknown: v9-bogus), expected 3".
    static func describe(_ recorded: StoreSchemaReport.Recorded, expected: [String]) -> String {
        if let failure = recorded.failure { return "schema cannot be read: \(oneLine(failure))" }
        var details: [String] = []
        let unknown = recorded.unknown(expected: expected)
        let pending = recorded.pending(expected: expected)
        if !unknown.isEmpty { details.append("unknown: " + unknown.joined(separator: ", ")) }
        if !pending.isEmpty { details.append("pending: " + pending.joined(separator: ", ")) }
        let detail = details.isEmpty ? "" : " (" + details.joined(separator: "; ") + ")"
        return "has schema \(recorded.version)\(detail), expected \(expected.count)"
    }

    /// "3/64 (4%)".
    static func usage(_ used: Int, of capacity: Int) -> String {
        let percent = capacity > 0 ? used * 100 / capacity : 0
        return "\(used)/\(capacity) (\(percent)%)"
    }

    static func oneLine(_ error: any Error) -> String {
        oneLine((error as? PorticoError)?.description ?? String(describing: error))
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
