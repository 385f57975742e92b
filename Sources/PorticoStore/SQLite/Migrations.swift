import GRDB

/// Forward-only, named schema migrations. The number of migrations is the schema version,
/// recorded in each database as `PRAGMA user_version` (and GRDB's `grdb_migrations` table).
enum Migrations {
    static var platform: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-platform") { db in
            try db.execute(sql: """
                CREATE TABLE sites (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    tagline TEXT NOT NULL DEFAULT '',
                    accent_color TEXT NOT NULL,
                    footer_text TEXT NOT NULL DEFAULT '',
                    logo_sha256 TEXT, logo_mime TEXT, logo_size INTEGER, logo_filename TEXT,
                    status TEXT NOT NULL,
                    created INTEGER NOT NULL
                );
                CREATE TABLE hostnames (
                    hostname TEXT PRIMARY KEY NOT NULL,
                    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL
                );
                CREATE INDEX hostnames_site ON hostnames(site_id);
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    username TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    email TEXT NOT NULL DEFAULT '',
                    password_hash TEXT NOT NULL,
                    is_admin INTEGER NOT NULL DEFAULT 0,
                    created INTEGER NOT NULL
                );
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created INTEGER NOT NULL,
                    expires INTEGER NOT NULL,
                    data TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX sessions_user ON sessions(user_id);
                """)
        }
        migrator.registerMigration("v2-roles-and-csrf") { db in
            try db.execute(sql: """
                ALTER TABLE sessions ADD COLUMN csrf TEXT NOT NULL DEFAULT '';
                CREATE INDEX sessions_expires ON sessions(expires);
                CREATE TABLE grants (
                    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    item_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    PRIMARY KEY (site_id, user_id, item_id, role)
                );
                CREATE INDEX grants_user ON grants(user_id);
                CREATE INDEX grants_item ON grants(site_id, item_id);
                """)
        }
        // Absent rows mean "on", so the table starts empty.
        migrator.registerMigration("v3-feature-flags") { db in
            try db.execute(sql: """
                CREATE TABLE feature_flags (
                    name TEXT PRIMARY KEY NOT NULL,
                    enabled INTEGER NOT NULL,
                    changed_at INTEGER NOT NULL,
                    changed_by TEXT NOT NULL DEFAULT ''
                );
                """)
        }
        // Every change to a site's record or files, so that other processes (workers, nodes)
        // reload it: a feed they poll, read by sequence number.
        migrator.registerMigration("v4-site-changes") { db in
            try db.execute(sql: """
                CREATE TABLE site_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    site_id TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                """)
        }
        return migrator
    }

    static var site: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-content") { db in
            try db.execute(sql: """
                CREATE TABLE items (
                    id TEXT PRIMARY KEY NOT NULL,
                    parent_id TEXT REFERENCES items(id) ON DELETE CASCADE,
                    path TEXT NOT NULL UNIQUE,
                    slug TEXT NOT NULL,
                    type TEXT NOT NULL,
                    title TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    body TEXT NOT NULL DEFAULT '',
                    body_html TEXT NOT NULL DEFAULT '',
                    state TEXT NOT NULL,
                    created INTEGER NOT NULL,
                    modified INTEGER NOT NULL,
                    effective INTEGER NOT NULL,
                    expires INTEGER,
                    creator TEXT,
                    position INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    tags TEXT NOT NULL DEFAULT '',
                    event_start INTEGER, event_end INTEGER, event_location TEXT,
                    link_target TEXT,
                    blob_sha256 TEXT, blob_mime TEXT, blob_size INTEGER, blob_filename TEXT,
                    image_width INTEGER, image_height INTEGER,
                    UNIQUE (parent_id, slug)
                );
                CREATE INDEX items_children ON items(parent_id, position);
                CREATE INDEX items_type_effective ON items(type, effective);
                CREATE INDEX items_blob ON items(blob_sha256) WHERE blob_sha256 IS NOT NULL;
                CREATE TABLE revisions (
                    item_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    author TEXT,
                    date INTEGER NOT NULL,
                    comment TEXT NOT NULL DEFAULT '',
                    snapshot TEXT NOT NULL,
                    PRIMARY KEY (item_id, version)
                );
                CREATE TABLE redirects (
                    old_path TEXT PRIMARY KEY NOT NULL,
                    item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                    created INTEGER NOT NULL
                );
                CREATE INDEX redirects_item ON redirects(item_id);
                """)
        }
        migrator.registerMigration("v2-members-only") { db in
            try db.execute(sql: "ALTER TABLE items ADD COLUMN members_only INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v3-schedule-indexes") { db in
            try db.execute(sql: """
                CREATE INDEX items_effective ON items(effective);
                CREATE INDEX items_expires ON items(expires) WHERE expires IS NOT NULL;
                """)
        }
        // Mail messages, and the search catalog (see SQLiteCatalog), filled from existing items.
        migrator.registerMigration("v4-messages-and-catalog") { db in
            try db.execute(sql: """
                ALTER TABLE items ADD COLUMN message_id TEXT;
                ALTER TABLE items ADD COLUMN message_from TEXT;
                ALTER TABLE items ADD COLUMN message_date INTEGER;
                ALTER TABLE items ADD COLUMN message_list TEXT;
                ALTER TABLE items ADD COLUMN message_thread TEXT;
                ALTER TABLE items ADD COLUMN message_in_reply_to TEXT;
                CREATE UNIQUE INDEX items_message_id ON items(message_id) WHERE message_id IS NOT NULL;
                CREATE INDEX items_message_thread ON items(message_thread, message_date) WHERE message_thread IS NOT NULL;
                CREATE INDEX items_children_effective ON items(parent_id, effective);
                """)
            try SQLiteCatalog.createTables(db)
            try SQLiteCatalog.rebuild(db, progress: nil)
        }
        // A larger FTS5 pending-data limit for bulk inserts (see SQLiteCatalog).
        migrator.registerMigration("v5-catalog-hashsize") { db in
            try SQLiteCatalog.configure(db)
        }
        // Titles in an index of their own, and folders as scope tokens (see SQLiteCatalog): the
        // catalog is made again from the items.
        migrator.registerMigration("v6-catalog-titles-and-scopes") { db in
            // A catalog made by v4 with this code already has them.
            if try db.columns(in: "catalog_meta").contains(where: { $0.name == "scope" }) { return }
            try db.execute(sql: "DROP TABLE IF EXISTS catalog_titles; DROP TABLE catalog; DROP TABLE catalog_meta")
            try SQLiteCatalog.createTables(db)
            try SQLiteCatalog.rebuild(db, progress: nil)
        }
        return migrator
    }

    /// Runs pending migrations and records the resulting schema version.
    ///
    /// A database already at this version is only read, never written: opening one of
    /// thousands of sites on its first request must not cost a write transaction.
    static func run(_ migrator: DatabaseMigrator, on writer: any DatabaseWriter) throws {
        let version = migrator.migrations.count
        let upToDate = try writer.read { db in
            try Int.fetchOne(db, sql: "PRAGMA user_version") == version && migrator.hasCompletedMigrations(db)
        }
        if upToDate { return }
        try migrator.migrate(writer)
        try writer.write { db in
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
    }

    static var platformSchemaVersion: Int { platform.migrations.count }
    static var siteSchemaVersion: Int { site.migrations.count }
}
