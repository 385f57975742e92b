public import Prometheus
import PorticoCache
import PorticoStore
import Synchronization

/// The node's metrics, for `/metrics` (the names and their meaning are in docs/monitoring.md).
///
/// The registry is this node's own, not the process-wide `MetricsSystem`: several nodes in one
/// process (the tests) must not count into each other. Request metrics are counted as requests
/// finish; their handles exist from the start for every kind and status class, so recording is
/// an array index and two updates (cheap enough for the cache fast path) and every series is
/// there from the first scrape. What other parts already count (the response cache) or know
/// (pools, process) is read when the metrics are scraped.
public final class PorticoMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Upper bounds of the latency buckets: a cache hit takes well under a millisecond, a
    /// render milliseconds, and anything past ten seconds is simply too slow.
    static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    /// Indexed by `RequestKind.rawValue * StatusClass.labels.count + StatusClass.ordinal(status)`.
    private let requests: [Counter]
    private let durations: [DurationHistogram]

    /// The counters `ResponseCache.statistics` keeps, by name, mirrored into registry counters.
    private static let cacheCounters: [(name: String, help: String)] = [
        ("hits", "Responses served from the response cache."),
        ("misses", "Cacheable requests not found in the cache."),
        ("stale", "Stale responses served within the grace window."),
        ("coalesced", "Requests that waited for another request's render (single flight)."),
        ("shed", "Requests answered with the panic page because renders were saturated."),
        ("evictions", "Responses evicted by invalidation or for space."),
        ("renders", "Renders made for the cache."),
    ]
    private let cacheMirrors: [Counter]
    /// The cache's counts already added to `cacheMirrors`: each scrape adds what is new, so the
    /// mirrors stay true counters (they only ever increase).
    private let mirrored: Mutex<[Int]>

    private let cache: ResponseCache
    private let gate: RenderGate
    private let store: (any StoreMonitoring)?
    private let storedBytes: Gauge
    private let entries: Gauge
    private let rendersInFlight: Gauge
    private let openSites: (open: Gauge, capacity: Gauge)?
    /// Public pages' kept reads (`PageReadsCache`): hits and misses mirrored like the cache's.
    private let pageData: (source: PageReadsCache, hits: Counter, misses: Counter, bytes: Gauge)?
    /// Its counts already added to those counters.
    private let pageDataMirrored = Mutex<(hits: Int, misses: Int)>((0, 0))
    private let process: (residentMemory: Gauge, openFileDescriptors: Gauge)?

    init(cache: ResponseCache, gate: RenderGate, store: any ContentStore, pageReads: PageReadsCache? = nil) {
        let registry = PrometheusCollectorRegistry()
        let monitoring = store as? any StoreMonitoring
        self.registry = registry
        self.cache = cache
        self.gate = gate
        self.store = monitoring
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }

        var requests: [Counter] = []
        var durations: [DurationHistogram] = []
        let requestsName = descriptor("portico_http_requests_total", "HTTP requests answered, by kind and status class.")
        let durationName = descriptor("portico_http_request_duration_seconds", "Time until the response head was ready, by kind and status class.")
        for kind in RequestKind.allCases {
            for status in StatusClass.labels {
                let labels = [("kind", kind.label), ("status", status)]
                requests.append(registry.makeCounter(descriptor: requestsName, labels: labels))
                durations.append(registry.makeDurationHistogram(descriptor: durationName, labels: labels, buckets: Self.durationBuckets))
            }
        }
        self.requests = requests
        self.durations = durations

        cacheMirrors = Self.cacheCounters.map { registry.makeCounter(descriptor: descriptor("portico_cache_\($0.name)_total", $0.help)) }
        mirrored = Mutex(Array(repeating: 0, count: Self.cacheCounters.count))
        storedBytes = registry.makeGauge(descriptor: descriptor("portico_cache_stored_bytes", "Bytes of responses held in the cache."))
        entries = registry.makeGauge(descriptor: descriptor("portico_cache_entries", "Responses held in the cache."))
        rendersInFlight = registry.makeGauge(descriptor: descriptor("portico_renders_in_flight", "Renders running now."))
        if let pageReads {
            pageData = (
                source: pageReads,
                hits: registry.makeCounter(descriptor: descriptor("portico_page_data_hits_total", "Public pages' first reads (and home page lists) answered from kept reads.")),
                misses: registry.makeCounter(descriptor: descriptor("portico_page_data_misses_total", "Public pages' first reads (and home page lists) read from the store.")),
                bytes: registry.makeGauge(descriptor: descriptor("portico_page_data_bytes", "Bytes of kept page reads, as estimated."))
            )
        } else {
            pageData = nil
        }
        // Gauges a store or platform cannot report are left out rather than shown as 0.
        if monitoring != nil {
            openSites = (
                open: registry.makeGauge(descriptor: descriptor("portico_open_sites", "Site databases open now.")),
                capacity: registry.makeGauge(descriptor: descriptor("portico_open_sites_capacity", "The most site databases open at once (storage.max_open_sites)."))
            )
        } else {
            openSites = nil
        }
        if ProcessStatistics.isAvailable {
            process = (
                residentMemory: registry.makeGauge(descriptor: descriptor("process_resident_memory_bytes", "Resident memory size in bytes.")),
                openFileDescriptors: registry.makeGauge(descriptor: descriptor("process_open_fds", "Number of open file descriptors."))
            )
        } else {
            process = nil
        }
    }

    /// Counts one answered request and how long its response head took.
    func record(_ kind: RequestKind, status: Int, nanoseconds: UInt64) {
        let index = kind.rawValue * StatusClass.labels.count + StatusClass.ordinal(status)
        requests[index].increment()
        durations[index].record(.nanoseconds(nanoseconds))
    }

    /// The Prometheus text exposition, with the values read at scrape time brought up to date.
    public func exposition() -> [UInt8] {
        refresh()
        var text: [UInt8] = []
        text.reserveCapacity(64 * 1024)
        registry.emit(into: &text)
        return text
    }

    private func refresh() {
        let counts = cache.statistics.snapshot
        mirrored.withLock { mirrored in
            for (index, counter) in Self.cacheCounters.enumerated() {
                let count = counts[counter.name] ?? 0
                if count > mirrored[index] { cacheMirrors[index].increment(by: Int64(count - mirrored[index])) }
                mirrored[index] = max(mirrored[index], count)
            }
        }
        storedBytes.set(to: Double(cache.storedBytes))
        entries.set(to: Double(cache.count))
        rendersInFlight.set(to: Double(gate.inFlight))
        if let pageData {
            let counts = pageData.source.counts
            pageDataMirrored.withLock { mirrored in
                if counts.hits > mirrored.hits { pageData.hits.increment(by: Int64(counts.hits - mirrored.hits)) }
                if counts.misses > mirrored.misses { pageData.misses.increment(by: Int64(counts.misses - mirrored.misses)) }
                mirrored = (max(mirrored.hits, counts.hits), max(mirrored.misses, counts.misses))
            }
            pageData.bytes.set(to: Double(pageData.source.storedBytes))
        }
        if let openSites, let store {
            let usage = store.openSiteUsage
            openSites.open.set(to: Double(usage.open))
            openSites.capacity.set(to: Double(usage.capacity))
        }
        if let process {
            if let bytes = ProcessStatistics.residentMemoryBytes() { process.residentMemory.set(to: Double(bytes)) }
            if let descriptors = ProcessStatistics.openFileDescriptors() { process.openFileDescriptors.set(to: Double(descriptors)) }
        }
    }
}
