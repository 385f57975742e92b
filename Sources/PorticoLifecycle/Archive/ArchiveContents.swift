import PorticoCore
import PorticoStore

/// The documents of an archive, decoded and checked against each other.
struct ArchiveContents: Sendable {
    var site: Site
    var items: [Item]
    var revisions: [Revision]
    var redirects: [Redirect]
    var grants: [PortableGrant]
    var users: [ArchiveUser]

    /// Reads every document (checksums verified), reporting one unit per document.
    static func read(from archive: SiteArchiveReader, progress: (LifecycleProgress) -> Void) throws -> ArchiveContents {
        let total = ArchiveFormat.documents.count
        func step(_ done: Int) { progress(LifecycleProgress(phase: "reading", done: done, total: total)) }
        step(0)
        let site = try archive.document(ArchiveFormat.site, as: Site.self)
        step(1)
        let items = try archive.document(ArchiveFormat.items, as: [Item].self)
        step(2)
        let revisions = try archive.document(ArchiveFormat.revisions, as: [Revision].self)
        step(3)
        let redirects = try archive.document(ArchiveFormat.redirects, as: [Redirect].self)
        step(4)
        let grants = try archive.document(ArchiveFormat.grants, as: [PortableGrant].self)
        step(5)
        let users = try archive.document(ArchiveFormat.users, as: [ArchiveUser].self)
        step(6)
        return ArchiveContents(site: site, items: items, revisions: revisions, redirects: redirects, grants: grants, users: users)
    }

    var counts: ArchiveCounts {
        ArchiveCounts(items: items.count, revisions: revisions.count, redirects: redirects.count, grants: grants.count, users: users.count, blobs: referencedBlobs.count)
    }

    /// Every blob the records refer to, as the store will check after import.
    var referencedBlobs: Set<String> {
        SiteRecords(site: site, items: items, revisions: revisions, redirects: redirects, grants: [], usernames: [:]).referencedBlobs
    }

    /// Throws `.inconsistent` (or `.missingEntry` for a blob) at the first contradiction: the
    /// tree must have one root at `/`, every parent present and able to contain, every path
    /// agreeing with its parent and slug, no duplicates, redirects to existing items, and every
    /// blob present in the archive. The counts must agree with the manifest's.
    func check(against manifest: ArchiveManifest, blobs: Set<String>) throws {
        var byID: [ItemID: Item] = [:]
        var paths = Set<String>()
        for item in items {
            guard byID.updateValue(item, forKey: item.id) == nil else { throw ArchiveError.inconsistent("the item id \(item.id) appears twice") }
            guard paths.insert(item.path).inserted else { throw ArchiveError.inconsistent("two items have the path \(item.path)") }
        }
        let roots = items.filter { $0.parentID == nil }
        guard roots.count == 1, roots[0].path == "/" else {
            throw ArchiveError.inconsistent("the site must have exactly one root item at /, it has \(roots.count)")
        }
        for item in items {
            guard let parentID = item.parentID else { continue }
            guard let parent = byID[parentID] else {
                throw ArchiveError.inconsistent("the item at \(item.path) has a parent (\(parentID)) that the archive does not hold")
            }
            guard parent.type.isContainer else {
                throw ArchiveError.inconsistent("the item at \(item.path) is inside \(parent.path), a \(parent.type.rawValue), which cannot contain items")
            }
            let expected = (parent.path == "/" ? "" : parent.path) + "/" + item.slug
            guard !item.slug.isEmpty, !item.slug.contains("/"), item.path == expected else {
                throw ArchiveError.inconsistent("the item at \(item.path) should be at \(expected), given its parent and slug")
            }
        }
        var versions = Set<String>()
        for revision in revisions where !versions.insert("\(revision.itemID.rawValue) \(revision.version)").inserted {
            throw ArchiveError.inconsistent("version \(revision.version) of item \(revision.itemID) appears twice")
        }
        var oldPaths = Set<String>()
        for redirect in redirects {
            guard oldPaths.insert(redirect.oldPath).inserted else { throw ArchiveError.inconsistent("two redirects start at \(redirect.oldPath)") }
            guard byID[redirect.itemID] != nil else {
                throw ArchiveError.inconsistent("the redirect from \(redirect.oldPath) leads to an item (\(redirect.itemID)) that the archive does not hold")
            }
        }
        for digest in referencedBlobs.sorted() {
            guard BlobReference.isValidDigest(digest) else { throw ArchiveError.inconsistent("a blob reference is not a SHA-256 digest") }
            guard blobs.contains(digest) else { throw ArchiveError.missingEntry(ArchiveFormat.blobPath(digest) + " (a blob the site uses)") }
        }
        let actual = counts
        let declared = manifest.counts
        guard actual.items == declared.items, actual.revisions == declared.revisions, actual.redirects == declared.redirects,
              actual.grants == declared.grants, actual.users == declared.users else {
            throw ArchiveError.inconsistent("the manifest counts \(declared.items) items, \(declared.revisions) revisions, \(declared.redirects) redirects, \(declared.grants) grants and \(declared.users) users, the documents hold \(actual.items), \(actual.revisions), \(actual.redirects), \(actual.grants) and \(actual.users)")
        }
    }
}
