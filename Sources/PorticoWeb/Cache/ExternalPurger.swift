import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import PorticoCache
import PorticoCore

/// Tells external caches (Varnish, see `portico config varnish`) what a write changed, by
/// sending `PURGE /` with the surrogate keys in `X-Portico-Keys`. It runs as an event
/// subscriber, so the write's response waits for the purge (bounded by a timeout): no visitor
/// gets the old page from Varnish after the editor saw "Saved".
public final class ExternalPurger: Sendable {
    public let targets: [URL]
    let session: URLSession
    let logger: Logger

    public init(targets: [URL], timeout: TimeInterval = 2, logger: Logger) {
        self.targets = targets
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        self.session = URLSession(configuration: configuration)
        self.logger = logger
    }

    /// The keys, site-prefixed as in the `xkey` header, that an invalidation touches.
    static func keys(for invalidation: Invalidation) -> [String] {
        switch invalidation {
        case .site(let site):
            return ["\(site.rawValue)-settings"]  // every response of a site carries it
        case .dependencies(let site, let dependencies):
            return dependencies.map { "\(site.rawValue)-\($0.key)" }.sorted()
        }
    }

    public func purge(_ invalidation: Invalidation) async {
        let keys = Self.keys(for: invalidation)
        guard !keys.isEmpty else { return }
        // Large invalidations go out in chunks, to keep headers small.
        for chunk in stride(from: 0, to: keys.count, by: 50).map({ Array(keys[$0..<min($0 + 50, keys.count)]) }) {
            await withTaskGroup(of: Void.self) { group in
                for target in targets {
                    group.addTask { await self.send(chunk, to: target) }
                }
            }
        }
    }

    private func send(_ keys: [String], to target: URL) async {
        var request = URLRequest(url: target)
        request.httpMethod = "PURGE"
        request.setValue(keys.joined(separator: "|"), forHTTPHeaderField: "X-Portico-Keys")
        do {
            let (_, response) = try await session.data(for: request)
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                logger.warning("external cache refused a purge", metadata: ["target": "\(target)", "status": "\(http.statusCode)"])
            }
        } catch {
            logger.error("external cache purge failed", metadata: ["target": "\(target)", "error": "\(error.localizedDescription)"])
        }
    }
}
