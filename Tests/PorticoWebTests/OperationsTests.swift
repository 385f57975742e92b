import Foundation
import PorticoTestSupport
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoCache
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

// The in-process router client has no network address, so it is never loopback: these tests
// use the monitor token, and `.live` (a real socket on 127.0.0.1) where loopback is the point.

private let token = "monitor-s3cret"
private let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

extension WebFixture {
    /// Runs `test` against an application whose monitor token is `token`.
    func testWithMonitorToken(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var services = self.services
        services.monitorToken = token
        let app = Application(responder: PorticoApplication.responder(services))
        try await app.test(.router) { client in try await test(client) }
    }
}

@Suite struct MonitorViewTests {
    @Test func dbSaysServiceOKWithTheCountsOnAnyHost() async throws {
        let f = try await WebFixture.make()
        _ = try await f.services.administration.createUser(username: "ops", displayName: "Ops", isPlatformAdmin: false)
        let users = try await f.store.userCount()
        #expect(users >= 1)
        try await f.testWithMonitorToken { client in
            for host in ["demo.test", "unknown.example", ""] {
                let db = try await client.get("/_monitor/db", host: host, headers: bearer)
                #expect(db.status == .ok)
                #expect(db.body == "ServiceOK: 2 sites, \(users) users\n")
                #expect(db.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(db.headers[.cacheControl] == "no-store")
                #expect(db.headers[HTTPField.Name("X-Cache")!] == nil)
            }
            // Through the local fallback prefix too.
            #expect(try await client.get("/_site/demo/_monitor/db", host: "localhost", headers: bearer).body.hasPrefix("ServiceOK: "))
            let unknown = try await client.get("/_monitor/nothing", host: "demo.test", headers: bearer)
            #expect(unknown.status == .notFound)
            #expect(unknown.body.contains("/_monitor/db"))
        }
    }

    @Test func outsidersWithoutTheTokenAreRefused() async throws {
        let f = try await WebFixture.make()
        // No token configured: only loopback.
        try await f.test { client in
            for path in ["/_monitor/db", "/_monitor/pool", "/_monitor/version", "/_monitor/hostname", "/metrics"] {
                let refused = try await client.get(path, host: "demo.test", headers: bearer)
                #expect(refused.status == .forbidden, "\(path)")
                #expect(refused.headers[.cacheControl] == "no-store")
            }
        }
        try await f.testWithMonitorToken { client in
            for path in ["/_monitor/db", "/_monitor/pool", "/_monitor/version", "/_monitor/hostname", "/metrics"] {
                let none = try await client.get(path, host: "demo.test")
                #expect(none.status == .forbidden, "\(path)")
                let wrong = try await client.get(path, host: "demo.test", headers: [.authorization: "Bearer monitor-s3cre"])
                #expect(wrong.status == .forbidden, "\(path)")
                let basic = try await client.get(path, host: "demo.test", headers: [.authorization: "Basic \(Data(token.utf8).base64EncodedString())"])
                #expect(basic.status == .forbidden, "\(path)")
                let right = try await client.get(path, host: "demo.test", headers: bearer)
                #expect(right.status == .ok, "\(path)")
            }
            let refused = try await client.get("/_monitor/db", host: "demo.test")
            #expect(refused.body.split(separator: "\n").count == 1)
            #expect(refused.body.contains("loopback"))
            #expect(!refused.body.contains(token))
        }
    }

    @Test func loopbackClientsNeedNoToken() async throws {
        let f = try await WebFixture.make()
        let app = Application(responder: PorticoApplication.responder(f.services))
        try await app.test(.live) { client in
            let db = try await client.execute(uri: "/_monitor/db", method: .get) { $0 }
            #expect(db.status == .ok)
            #expect(String(buffer: db.body).hasPrefix("ServiceOK: 2 sites"))
            let metrics = try await client.execute(uri: "/metrics", method: .get) { $0 }
            #expect(metrics.status == .ok)
        }
    }

    @Test func poolReportsTheOpenSitesConnectionsAndRenders() async throws {
        let f = try await WebFixture.make()
        try await f.testWithMonitorToken { client in
            _ = try await client.get("/", host: "demo.test")
            _ = try await client.get("/", host: "beta.test")
            let pool = try await client.get("/_monitor/pool", host: "demo.test", headers: bearer)
            #expect(pool.status == .ok)
            let lines = pool.body.split(separator: "\n").map(String.init)
            let open = f.store.openSiteUsage
            #expect(open.open >= 2)
            #expect(lines.contains("open_sites \(open.open)/8 (\(open.open * 100 / 8)%)"), "\(lines)")
            let pools = f.store.connectionPools
            #expect(pools.openSitesCapacity == 8)
            #expect(lines.contains("db_connections_max \(pools.connections)/\(pools.connectionCapacity) (\(pools.connections * 100 / pools.connectionCapacity)%)"), "\(lines)")
            #expect(lines.contains("db_readers_per_site \(pools.readersPerSite)"))
            #expect(lines.contains("db_platform_readers \(pools.platformReaders)"))
            #expect(lines.contains { $0.wholeMatch(of: /renders \d+\/\d+ \(\d+%\)/) != nil }, "\(lines)")
        }
    }

    @Test func versionIsOKUntilASiteDatabaseHasAnUnknownMigration() async throws {
        let f = try await WebFixture.make()
        try await f.testWithMonitorToken { client in
            let ok = try await client.get("/_monitor/version", host: "demo.test", headers: bearer)
            #expect(ok.status == .ok)
            #expect(ok.body.hasPrefix("OK: version \(PorticoVersion.string), schema platform="), "\(ok.body)")
            #expect(ok.body.hasSuffix(", 2 sites checked\n"), "\(ok.body)")
        }

        // A newer release (as it were) migrated the beta database.
        let file = f.folder.appendingPathComponent("sites/beta/content.sqlite").path
        let queue = try DatabaseQueue(path: file)
        try await queue.write { db in
            try db.execute(sql: "UPDATE grdb_migrations SET identifier = 'v99-from-the-future' WHERE rowid = (SELECT MAX(rowid) FROM grdb_migrations)")
        }
        try queue.close()

        try await f.testWithMonitorToken { client in
            for _ in 0..<2 {  // checking is read-only: it does not "repair" anything
                let ko = try await client.get("/_monitor/version", host: "demo.test", headers: bearer)
                #expect(ko.status == .serviceUnavailable)
                let lines = ko.body.split(separator: "\n").map(String.init)
                #expect(lines.first?.hasPrefix("KO: site beta has schema ") == true, "\(lines)")
                #expect(lines.first?.contains("unknown: v99-from-the-future") == true, "\(lines)")
                #expect(lines.first?.contains("pending: ") == true, "\(lines)")
                #expect(!ko.body.contains("site demo"))
                #expect(lines.last?.hasPrefix("version \(PorticoVersion.string), ") == true)
            }
        }
    }

    @Test func versionNamesASiteWhoseDatabaseIsMissing() async throws {
        let f = try await WebFixture.make()
        let report = try await f.store.schemaVersions()
        #expect(report.isConsistent)
        #expect(report.sites.map(\.site.rawValue) == ["beta", "demo"])
        try FileManager.default.removeItem(at: f.folder.appendingPathComponent("sites/beta/content.sqlite"))
        let broken = try await f.store.schemaVersions()
        #expect(!broken.isConsistent)
        #expect(broken.mismatchedSites.map(\.site.rawValue) == ["beta"])
        #expect(broken.mismatchedSites.first?.recorded.failure?.contains("missing") == true)
    }

    @Test func hostnameNamesTheNodeAndProcess() async throws {
        let f = try await WebFixture.make()
        try await f.testWithMonitorToken { client in
            let answer = try await client.get("/_monitor/hostname", host: "unknown.example", headers: bearer)
            #expect(answer.status == .ok)
            let lines = answer.body.split(separator: "\n").map(String.init)
            #expect(lines == [ProcessInfo.processInfo.hostName, "pid \(ProcessInfo.processInfo.processIdentifier)"])
        }
    }
}

/// One sample of the Prometheus text exposition format.
struct PrometheusSample {
    var name: String
    var labels: [String: String]
    var value: Double
}

enum PrometheusText {
    /// Every line that is not a comment, as `name{labels} value`; nil if any line is not.
    static func parse(_ text: String) -> [PrometheusSample]? {
        var samples: [PrometheusSample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.allSatisfy(\.isWhitespace) {
            guard let match = line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?/),
                  let value = Double(String(match.3)) else { return nil }
            var labels: [String: String] = [:]
            if let body = match.2 {
                for pair in body.matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/) {
                    labels[String(pair.1)] = String(pair.2)
                }
            }
            samples.append(PrometheusSample(name: String(match.1), labels: labels, value: value))
        }
        return samples
    }

    /// The value of the first sample named `name` that has (at least) `labels`.
    static func value(_ samples: [PrometheusSample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }
}

@Suite struct MetricsEndpointTests {
    private func scrape(_ client: any TestClientProtocol) async throws -> (text: String, samples: [PrometheusSample]) {
        let response = try await client.get("/metrics", host: "demo.test", headers: bearer)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        let samples = try #require(PrometheusText.parse(response.body), "not Prometheus text:\n\(response.body)")
        return (response.body, samples)
    }

    @Test func metricsAreParseablePrometheusTextWithRequestAndCacheMetrics() async throws {
        let f = try await WebFixture.make()
        try await f.testWithMonitorToken { client in
            _ = try await client.get("/news")
            let first = try await scrape(client)
            let page2xx = ["kind": "page", "status": "2xx"]
            let before = PrometheusText.value(first.samples, "portico_http_requests_total", page2xx) ?? 0
            #expect(before >= 1)
            for _ in 0..<3 { #expect(try await client.get("/news").status == .ok) }
            #expect(try await client.get("/no-such-page").status == .notFound)
            let second = try await scrape(client)
            #expect(PrometheusText.value(second.samples, "portico_http_requests_total", page2xx) == before + 3)
            #expect(PrometheusText.value(second.samples, "portico_http_requests_total", ["kind": "page", "status": "4xx"]).map { $0 >= 1 } == true)
            #expect(PrometheusText.value(second.samples, "portico_http_requests_total", ["kind": "metrics", "status": "2xx"]).map { $0 >= 1 } == true)

            // The latency histogram, by kind and status class.
            #expect(second.text.contains("# TYPE portico_http_request_duration_seconds histogram"))
            #expect(PrometheusText.value(second.samples, "portico_http_request_duration_seconds_bucket", ["kind": "page", "status": "2xx", "le": "+Inf"]).map { $0 >= before + 3 } == true)
            #expect(PrometheusText.value(second.samples, "portico_http_request_duration_seconds_count", page2xx).map { $0 >= before + 3 } == true)

            // The cache's counters and gauges.
            for counter in ["hits", "misses", "stale", "coalesced", "shed", "evictions", "renders"] {
                #expect(second.text.contains("# TYPE portico_cache_\(counter)_total counter"), "\(counter)")
                #expect(PrometheusText.value(second.samples, "portico_cache_\(counter)_total") != nil, "\(counter)")
            }
            #expect(PrometheusText.value(second.samples, "portico_cache_hits_total").map { $0 >= 3 } == true)
            #expect(PrometheusText.value(second.samples, "portico_cache_misses_total").map { $0 >= 1 } == true)
            // Public pages' kept reads: the page views above were read once, then kept.
            #expect(second.text.contains("# TYPE portico_page_data_hits_total counter"))
            #expect(PrometheusText.value(second.samples, "portico_page_data_misses_total").map { $0 >= 1 } == true)
            for gauge in ["portico_cache_stored_bytes", "portico_cache_entries", "portico_renders_in_flight", "portico_page_data_bytes"] {
                #expect(PrometheusText.value(second.samples, gauge) != nil, "\(gauge)")
            }
            // Open sites (names as agreed in docs/monitoring.md); process gauges on Linux.
            #expect(second.samples.contains { $0.name.contains("open_sites") })
            #if os(Linux)
            #expect(second.samples.contains { $0.name.hasSuffix("resident_memory_bytes") && $0.value > 0 })
            #expect(second.samples.contains { $0.name.hasSuffix("open_fds") && $0.value > 0 })
            #endif
        }
    }

    @Test func pageLatencyHasEveryBucketCumulativeWithSumAndCount() async throws {
        let f = try await WebFixture.make()
        try await f.testWithMonitorToken { client in
            for _ in 0..<4 { #expect(try await client.get("/news").status == .ok) }
            let samples = try await scrape(client).samples
            let page2xx = ["kind": "page", "status": "2xx"]
            let buckets = samples.filter { $0.name == "portico_http_request_duration_seconds_bucket" && $0.labels["kind"] == "page" && $0.labels["status"] == "2xx" }
            let bounds = buckets.compactMap { $0.labels["le"] }
            // From half a millisecond to ten seconds, then +Inf.
            #expect(bounds.contains("+Inf"), "\(bounds)")
            let finite = bounds.compactMap { Double($0) }.filter(\.isFinite).sorted()
            #expect(finite.first == 0.0005, "\(finite)")
            #expect(finite.last == 10, "\(finite)")
            #expect(finite.count >= 10, "\(finite)")
            // Cumulative: a larger bound never holds fewer requests; +Inf holds them all.
            let ordered = buckets.map { (bound: Double($0.labels["le"] ?? "") ?? .infinity, count: $0.value) }.sorted { $0.bound < $1.bound }
            #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.count <= $1.count }, "\(ordered)")
            let count = try #require(PrometheusText.value(samples, "portico_http_request_duration_seconds_count", page2xx))
            #expect(count == 4)
            #expect(ordered.last?.count == count)
            #expect(PrometheusText.value(samples, "portico_http_requests_total", page2xx) == count)
            let sum = try #require(PrometheusText.value(samples, "portico_http_request_duration_seconds_sum", page2xx))
            #expect(sum > 0 && sum < 60)
            // Every kind and status class exists from the start, so dashboards see zeros, not gaps.
            #expect(PrometheusText.value(samples, "portico_http_requests_total", ["kind": "blob", "status": "5xx"]) == 0)
            #expect(PrometheusText.value(samples, "portico_http_request_duration_seconds_count", ["kind": "editor", "status": "3xx"]) == 0)
        }
    }

    @Test func requestsAreCountedByKindWhicheverWayTheSiteIsAddressed() async throws {
        let f = try await WebFixture.make()
        try await f.testWithMonitorToken { client in
            let requests: [(path: String, host: String, kind: String)] = [
                ("/robots.txt", "demo.test", "asset"),
                ("/feed.xml", "demo.test", "feed"),
                ("/_site/demo/sitemap.xml", "localhost", "feed"),
                ("/_site/demo/news?page=2", "localhost", "page"),
                ("/_login", "demo.test", "login"),
                ("/_health/live", "unknown.example", "health"),
                ("/_monitor/db", "unknown.example", "monitor"),
            ]
            var expected: [String: Int] = [:]
            for request in requests {
                let response = try await client.get(request.path, host: request.host, headers: bearer)
                #expect(response.status == .ok, "\(request.path)")
                expected[request.kind, default: 0] += 1
            }
            let samples = try await scrape(client).samples
            for (kind, count) in expected {
                #expect(PrometheusText.value(samples, "portico_http_requests_total", ["kind": kind, "status": "2xx"]) == Double(count), "\(kind)")
            }
            // No other label values: paths and sites never become labels.
            let kinds = Set(samples.filter { $0.name == "portico_http_requests_total" }.compactMap { $0.labels["kind"] })
            #expect(kinds == ["page", "blob", "asset", "feed", "editor", "login", "monitor", "health", "metrics", "other"])
            let statuses = Set(samples.filter { $0.name == "portico_http_requests_total" }.compactMap { $0.labels["status"] })
            #expect(statuses == ["1xx", "2xx", "3xx", "4xx", "5xx"])
        }
    }

    @Test func cacheHitsAnsweredBeforeRoutingAreCounted() async throws {
        let f = try await WebFixture.make()
        let app = PorticoApplication.application(f.services, host: "127.0.0.1", port: 0)
        try await app.test(.live) { client in
            // The first request renders; the next two are answered in the channel pipeline.
            for _ in 0..<3 {
                let page = try await client.execute(uri: "/_site/demo/news", method: .get) { $0 }
                #expect(page.status == .ok)
            }
            // Loopback: no token needed.
            let response = try await client.execute(uri: "/metrics", method: .get) { $0 }
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            let samples = try #require(PrometheusText.parse(String(buffer: response.body)))
            let page2xx = ["kind": "page", "status": "2xx"]
            #expect(PrometheusText.value(samples, "portico_http_requests_total", page2xx) == 3)
            #expect(PrometheusText.value(samples, "portico_http_request_duration_seconds_count", page2xx) == 3)
            #expect(PrometheusText.value(samples, "portico_cache_hits_total") == 2)
            #expect(PrometheusText.value(samples, "portico_cache_misses_total") == 1)
        }
    }

    @Test func thePanicPageCountsAs5xxAndShedWhileOperationsEndpointsStillAnswer() async throws {
        // One render slot and no queue: while a slow render holds the slot, any other is shed.
        let configuration = CacheConfiguration(maximumRenders: 1, editorReserve: 0, maximumQueue: 0, maximumWait: .milliseconds(50), simulatedRenderTime: .milliseconds(1500))
        let f = try await WebFixture.make(cache: configuration)
        try await f.testWithMonitorToken { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let slow = try await client.get("/news?slow=1")
                    #expect(slow.status == .ok)
                }
                let deadline = ContinuousClock.now + .seconds(5)
                while f.services.gate.inFlight == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(f.services.gate.inFlight == 1)

                let shed = try await client.get("/news?shed=1")
                #expect(shed.status == .serviceUnavailable)
                #expect(shed.headers[HTTPField.Name("X-Cache")!] == "SHED")
                // Health, monitoring and metrics take no render slot: they answer now, when it matters.
                #expect(try await client.get("/_health/live").status == .ok)
                #expect(try await client.get("/_monitor/pool", headers: bearer).status == .ok)
                let during = try await scrape(client).samples
                #expect(PrometheusText.value(during, "portico_renders_in_flight") == 1)
                #expect(PrometheusText.value(during, "portico_cache_shed_total") == 1)
                #expect(PrometheusText.value(during, "portico_http_requests_total", ["kind": "page", "status": "5xx"]) == 1)
                #expect(PrometheusText.value(during, "portico_http_request_duration_seconds_count", ["kind": "page", "status": "5xx"]) == 1)
                try await group.waitForAll()
            }
            let after = try await scrape(client).samples
            #expect(PrometheusText.value(after, "portico_renders_in_flight") == 0)
            #expect(PrometheusText.value(after, "portico_http_requests_total", ["kind": "page", "status": "2xx"]) == 1)
            #expect(PrometheusText.value(after, "portico_http_requests_total", ["kind": "health", "status": "2xx"]) == 1)
            #expect(PrometheusText.value(after, "portico_http_requests_total", ["kind": "monitor", "status": "2xx"]) == 1)
        }
    }
}

@Suite struct AccessLogTests {
    private static func temporaryLogPath() -> String {
        TestFolders.path("portico-access", suffix: ".log")
    }

    /// Whether `line` has the documented shape, every field present and in order.
    private static func isWellFormed(_ line: String) -> Bool {
        line.wholeMatch(of: /ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z id=\S+ site=\S+ method=[A-Z]+ path=\S+( query=1)? status=\d{3} ms=\d+\.\d{3} cache=(HIT|MISS|STALE|PASS|SHED) user=\S+/) != nil
    }

    @Test func everyRequestGetsOneSafeLogfmtLine() async throws {
        let f = try await EditorFixture.make()
        let path = Self.temporaryLogPath()
        let log = try AccessLog(destination: .file(path))
        let services = try await PorticoServices(store: f.web.store, theme: try Theme(), clock: f.web.clock, bcryptCost: 4, accessLog: log)
        let app = Application(responder: PorticoApplication.responder(services))
        try await app.test(.router) { client in
            _ = try await client.get("/news")
            _ = try await client.get("/news")
            _ = try await client.get("/news?token=very-secret-value")
            _ = try await client.get("/_site/beta/", host: "localhost")
            _ = try await client.get("/", host: "unknown.example")
            _ = try await client.get("/x\"y=z")
            var browser = Browser(client)
            _ = try await browser.login("editor")  // GET /_login, POST /_login, GET /
            _ = try await browser.get("/_edit/")
        }
        log.shutdown()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 10, "\(text)")
        for line in lines { #expect(Self.isWellFormed(line), "\(line)") }

        #expect(lines[0].contains(" site=demo method=GET path=/news status=200 "))
        #expect(lines[0].contains(" cache=MISS user=-"))
        #expect(lines[1].contains(" cache=HIT "))
        #expect(lines[2].contains(" path=/news query=1 status=200 "))
        #expect(lines[3].contains(" site=beta method=GET path=/_site/beta/ status=200 "))
        #expect(lines[4].contains(" site=- method=GET path=/ status=404 "))
        #expect(lines[4].contains(" cache=PASS "))
        #expect(lines[5].contains(#" path="/x\"y=z" "#), "\(lines[5])")
        #expect(lines[7].contains(" method=POST path=/_login "))
        let editor = try #require(f.users["editor"])
        #expect(lines[9].contains(" path=/_edit/ "))
        #expect(lines[9].hasSuffix(" cache=PASS user=\(editor.id.rawValue)"), "\(lines[9])")
        // Request ids are unique.
        let ids = lines.compactMap { $0.firstMatch(of: #/ id=(\S+) /#).map { String($0.1) } }
        #expect(Set(ids).count == lines.count)
        // Nothing secret.
        for secret in ["very-secret-value", EditorFixture.password, "portico_session", "_csrf", "editor&"] {
            #expect(!text.contains(secret), "\(secret)")
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func cacheHitsAnsweredBeforeRoutingAreLoggedToo() async throws {
        let f = try await WebFixture.make()
        let path = Self.temporaryLogPath()
        let log = try AccessLog(destination: .file(path))
        let services = try await PorticoServices(store: f.store, theme: try Theme(), clock: f.clock, bcryptCost: 4, accessLog: log)
        let app = PorticoApplication.application(services, host: "127.0.0.1", port: 0)
        try await app.test(.live) { client in
            for _ in 0..<3 {
                let page = try await client.execute(uri: "/_site/demo/news", method: .get) { $0 }
                #expect(page.status == .ok)
            }
        }
        log.shutdown()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        for line in lines { #expect(Self.isWellFormed(line), "\(line)") }
        #expect(lines.first?.contains(" site=demo method=GET path=/_site/demo/news status=200 ") == true)
        #expect(lines.first?.contains(" cache=MISS ") == true)
        #expect(lines.dropFirst().allSatisfy { $0.contains(" site=demo method=GET path=/_site/demo/news status=200 ") && $0.contains(" cache=HIT ") }, "\(lines)")
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func anUnwritableDestinationIsRefusedAtOnce() throws {
        #expect(throws: AccessLog.OpenFailure.self) {
            _ = try AccessLog(destination: .file("/nonexistent-folder-\(UUID().uuidString)/access.log"))
        }
        #expect(!AccessLog.disabled.isEnabled)
    }
}
