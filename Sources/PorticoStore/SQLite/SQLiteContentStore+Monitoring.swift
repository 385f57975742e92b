import Foundation
import GRDB
import PorticoCore

/// Pool sizes and schema versions of the embedded store, for `/_monitor/pool`,
/// `/_monitor/version` and the metrics. (`openSiteUsage` is declared with the store.)
extension SQLiteContentStore: StoreMonitoring {
    public var connectionPools: StoreConnectionPools {
        let usage = openSiteUsage
        return StoreConnectionPools(
            platformReaders: platform.configuration.maximumReaderCount,
            // `makePool` opens at least one reader per site.
            readersPerSite: max(1, openSites.readersPerSite),
            openSites: usage.open, openSitesCapacity: usage.capacity
        )
    }

    public func schemaVersions() async throws -> StoreSchemaReport {
        let platformRecorded = try await platform.read { db in
            StoreSchemaReport.Recorded(version: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                                       migrations: try Migrations.platform.appliedIdentifiers(db))
        }
        var sites: [StoreSchemaReport.SiteSchema] = []
        for site in try await self.sites() {
            let file = siteFolder(site.id).appendingPathComponent(SQLiteLayout.siteDatabaseName)
            sites.append(StoreSchemaReport.SiteSchema(site: site.id, recorded: await Self.recordedSchema(of: file)))
        }
        return StoreSchemaReport(
            expectedPlatform: Migrations.platform.migrations, expectedSite: Migrations.site.migrations,
            platform: platformRecorded, sites: sites
        )
    }

    /// Reads one site database's schema through its own short-lived read-only connection, so
    /// that checking neither migrates the database (as opening it for content would) nor
    /// fills the open-sites LRU.
    static func recordedSchema(of file: URL) async -> StoreSchemaReport.Recorded {
        guard FileManager.default.fileExists(atPath: file.path) else {
            return .unreadable("database file \(file.path) is missing")
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            configuration.label = "schema-check"
            let queue = try DatabaseQueue(path: file.path, configuration: configuration)
            defer { try? queue.close() }
            return try await queue.read { db in
                StoreSchemaReport.Recorded(version: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                                           migrations: try Migrations.site.appliedIdentifiers(db))
            }
        } catch {
            return .unreadable("database \(file.path) cannot be read: \(reason(error))")
        }
    }
}
