public import Foundation
import GRDB
public import PorticoCore

/// Feature switches in the platform database (`feature_flags`), where every worker and the
/// CLI see the same rows. A flag without a row is on.
extension SQLiteContentStore {
    public func featureFlags() async throws -> FeatureFlags {
        try await platformRead { db in
            var flags = FeatureFlags.allOn
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT name, enabled, changed_at, changed_by FROM feature_flags"))
            for row in rows {
                // A newer version may know flags this one does not: skip them.
                guard let flag = FeatureFlag(rawValue: row[0]) else { continue }
                flags.set(flag, on: row[1], change: FeatureFlags.Change(at: Date(millisecondsSince1970: row[2]), by: row[3]))
            }
            return flags
        }
    }

    public func setFeatureFlag(_ flag: FeatureFlag, enabled: Bool, by: String, at: Date) async throws {
        try await platformWrite { db in
            try db.execute(sql: """
                INSERT INTO feature_flags (name, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at, changed_by = excluded.changed_by
                """, arguments: [flag.rawValue, enabled, at.millisecondsSince1970, by])
        }
    }
}
