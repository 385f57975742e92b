public import Foundation
public import PorticoCore

/// A role grant that names its user by username: user ids are random per node, usernames are
/// what an operator recognises on both sides of an export and import.
public struct PortableGrant: Sendable, Codable, Equatable, Hashable {
    public var username: String
    public var item: ItemID
    public var role: Role

    public init(username: String, item: ItemID, role: Role) {
        self.username = username
        self.item = item
        self.role = role
    }
}

/// Everything that makes up one site: what an archive carries, and what an import creates.
public struct SiteRecords: Sendable, Equatable {
    public var site: Site
    /// Every item in every state, parents before children (by path).
    public var items: [Item]
    /// Every revision, including those of deleted items (history is kept), by item and version.
    public var revisions: [Revision]
    public var redirects: [Redirect]
    public var grants: [PortableGrant]
    /// The usernames of the users these records mention (grants, creators, revision authors),
    /// so that another node can find the same people. Ignored by `SiteImportStaging.commit`.
    public var usernames: [UserID: String]

    public init(site: Site, items: [Item], revisions: [Revision], redirects: [Redirect], grants: [PortableGrant], usernames: [UserID: String]) {
        self.site = site
        self.items = items
        self.revisions = revisions
        self.redirects = redirects
        self.grants = grants
        self.usernames = usernames
    }

    /// The digests of every blob the records refer to: items, revisions and the site's logo.
    public var referencedBlobs: Set<String> {
        var digests = Set(items.compactMap(\.blob?.sha256))
        digests.formUnion(revisions.compactMap(\.snapshot.blob?.sha256))
        if let logo = site.settings.logo { digests.insert(logo.sha256) }
        return digests
    }
}

/// Reading a whole site and creating one from complete records: what export and import need
/// beyond the everyday contract. Kept apart from `ContentStore` because only the lifecycle
/// tools use it, and a store may add it later than the rest.
public protocol SiteArchiveStore: ContentStore {
    /// Everything of a site. Its content comes from one read transaction of the site's database,
    /// so the result is consistent while the site keeps serving and changing; the site record
    /// and grants come from one read of the platform.
    func records(of site: SiteID) async throws -> SiteRecords

    /// Starts creating site `id` from records. Nothing is visible to anyone until `commit`
    /// succeeds, and `discard` removes every trace.
    func beginSiteImport(_ id: SiteID) async throws -> any SiteImportStaging
}

/// A site being built out of sight: blobs are added one by one, then `commit` writes the
/// records, verifies them and registers the site in one step.
public protocol SiteImportStaging: Sendable {
    /// A folder on the same volume as the staged site, for files passed to `addBlob`.
    var scratchFolder: URL { get }

    /// Takes over `file` (moved, not copied) as the blob `sha256`. The caller has verified
    /// that the digest is the file's; the store checks only that it is a well-formed digest.
    func addBlob(file: URL, sha256: String) async throws

    /// Writes the records, checks them (integrity, every referenced blob present), moves the
    /// site into place and registers it with its hostnames and grants in one platform
    /// transaction. On failure nothing of the site remains.
    /// Returns the grants that were skipped because no user has their username here.
    /// Throws `.alreadyExists` when the id or a hostname is taken by then.
    func commit(_ records: SiteRecords) async throws -> [PortableGrant]

    /// Removes everything staged. Safe to call more than once, and after `commit`.
    func discard() async
}
