import Hummingbird
import NIOCore
import PorticoCache
import PorticoCore

/// `/metrics`: the response cache's counters in Prometheus text format, for loopback
/// clients only. (The operations work will move this onto swift-metrics and add request,
/// store and process metrics; the names here follow `portico_<area>_<what>_<unit>`.)
enum CacheMetrics {
    static func isLoopback(_ address: String) -> Bool {
        address == "127.0.0.1" || address == "::1" || address.hasPrefix("127.") || address == "::ffff:127.0.0.1"
    }

    static func response(services: PorticoServices, context: PorticoRequestContext) -> Response {
        guard isLoopback(context.clientAddress) else {
            return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: "metrics are served to loopback clients only\n")))
        }
        let counters = services.cache.statistics.snapshot
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("portico_cache_hits_total", "counter", "Responses served from the response cache.", counters["hits"] ?? 0)
        metric("portico_cache_misses_total", "counter", "Cacheable requests not found in the cache.", counters["misses"] ?? 0)
        metric("portico_cache_stale_total", "counter", "Stale responses served within the grace window.", counters["stale"] ?? 0)
        metric("portico_cache_coalesced_total", "counter", "Requests that waited for another request's render (single flight).", counters["coalesced"] ?? 0)
        metric("portico_cache_shed_total", "counter", "Requests answered with the panic page because renders were saturated.", counters["shed"] ?? 0)
        metric("portico_cache_evictions_total", "counter", "Responses evicted by invalidation or for space.", counters["evictions"] ?? 0)
        metric("portico_cache_renders_total", "counter", "Renders made for the cache.", counters["renders"] ?? 0)
        metric("portico_cache_stored_bytes", "gauge", "Bytes of responses held in the cache.", services.cache.storedBytes)
        metric("portico_cache_entries", "gauge", "Responses held in the cache.", services.cache.count)
        metric("portico_renders_in_flight", "gauge", "Renders running now.", services.gate.inFlight)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
