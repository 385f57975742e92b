/// Operations on a whole site outside serving: archives (export/import), backups and restores,
/// and integrity checks. Each is all-or-nothing for the site it touches and never touches
/// another site.
public enum Lifecycle {}
