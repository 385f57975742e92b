public import Foundation
public import PorticoCore
public import PorticoStore

extension Lifecycle {
    /// Creates site `newID` answering on `hostnames` from the archive at `archiveURL`.
    ///
    /// All or nothing: the archive is checked entry by entry (structure, names, sizes, SHA-256
    /// checksums, limits against zip bombs) and its records against each other before anything
    /// is written; the site is then built out of sight in the data folder and registered in one
    /// step (`SiteImportStaging.commit`). On any failure no site, folder or blob of it remains.
    /// Refuses an id that exists or a hostname another site uses (`PorticoError.alreadyExists`);
    /// problems with the archive itself are `ArchiveError`s.
    ///
    /// Items keep their ids (they are unique within a site); users are matched by username.
    public static func importSite(
        from archiveURL: URL, as newID: SiteID, hostnames: [String], store: any SiteArchiveStore,
        limits: ArchiveLimits = .standard, progress: @Sendable (LifecycleProgress) -> Void = { _ in }
    ) async throws -> ImportReport {
        let hostnames = try normalizedHostnames(hostnames)
        try await requireFree(newID, hostnames: hostnames, in: store)

        let archive = try SiteArchiveReader(url: archiveURL, limits: limits)
        let contents = try ArchiveContents.read(from: archive, progress: progress)
        progress(LifecycleProgress(phase: "verifying", done: 0, total: 1))
        try contents.check(against: archive.manifest, blobs: archive.blobDigests)
        let (userIDs, unknownUsers) = try await matchUsers(contents.users, in: store)
        let (records, skippedItems) = contents.records(as: newID, hostnames: hostnames, userIDs: userIDs)
        progress(LifecycleProgress(phase: "verifying", done: 1, total: 1))

        let staging = try await store.beginSiteImport(newID)
        do {
            let digests = records.referencedBlobs.sorted()
            progress(LifecycleProgress(phase: "blobs", done: 0, total: digests.count))
            for (index, digest) in digests.enumerated() {
                let file = try archive.extractBlob(digest, into: staging.scratchFolder)
                try await staging.addBlob(file: file, sha256: digest)
                progress(LifecycleProgress(phase: "blobs", done: index + 1, total: digests.count))
            }
            progress(LifecycleProgress(phase: "writing", done: 0, total: 1))
            let skippedUsers = try await staging.commit(records)
            progress(LifecycleProgress(phase: "writing", done: 1, total: 1))
            let skipped = skippedItems + skippedUsers.map { SkippedGrant(grant: $0, reason: .unknownUser) }
            let counts = ArchiveCounts(
                items: records.items.count, revisions: records.revisions.count, redirects: records.redirects.count,
                grants: records.grants.count - skippedUsers.count, users: contents.users.count - unknownUsers.count, blobs: digests.count
            )
            return ImportReport(
                site: records.site, sourceSiteID: archive.manifest.site.id, sourcePorticoVersion: archive.manifest.porticoVersion,
                archiveCreated: archive.manifest.created, counts: counts, skippedGrants: skipped, unknownUsers: unknownUsers
            )
        } catch {
            await staging.discard()
            throw error
        }
    }

    /// Lowercased, without ports or trailing dots, duplicates removed; invalid names refused.
    static func normalizedHostnames(_ raw: [String]) throws -> [String] {
        var result: [String] = []
        for value in raw {
            guard let host = Hostname.normalize(value.trimmingCharacters(in: .whitespaces)) else {
                throw PorticoError.invalid(field: "hostname “\(value)”", reason: "is not a valid host name (letters, digits, hyphens and dots)")
            }
            if !result.contains(host) { result.append(host) }
        }
        return result
    }

    /// Checked before the archive is read, for a quick and clear refusal; the store checks
    /// again when it registers the site.
    private static func requireFree(_ id: SiteID, hostnames: [String], in store: any SiteArchiveStore) async throws {
        if try await store.site(id) != nil { throw PorticoError.alreadyExists("site \(id)") }
        for host in hostnames {
            if let owner = try await store.site(forHostname: host) {
                throw PorticoError.alreadyExists("hostname \(host) (used by site \(owner.id))")
            }
        }
    }

    /// The ids here of the archive's users, by username; and the usernames nobody has here.
    private static func matchUsers(_ users: [ArchiveUser], in store: any SiteArchiveStore) async throws -> ([UserID: UserID], [String]) {
        var ids: [UserID: UserID] = [:]
        var unknown: [String] = []
        for user in users {
            if let local = try await store.user(username: user.username) {
                ids[user.id] = local.id
            } else {
                unknown.append(user.username)
            }
        }
        return (ids, unknown.sorted())
    }
}

extension ArchiveContents {
    /// The records to create: the archive's under the new id and hostnames, with user ids
    /// replaced by those of the same usernames here, and without grants on items that the
    /// archive does not hold (returned as skipped).
    func records(as id: SiteID, hostnames: [String], userIDs: [UserID: UserID]) -> (SiteRecords, [SkippedGrant]) {
        func local(_ user: UserID?) -> UserID? { user.map { userIDs[$0] ?? $0 } }
        var site = self.site
        site.id = id
        site.hostnames = hostnames
        let items = self.items.map { item in
            var item = item
            item.creator = local(item.creator)
            return item
        }
        let revisions = self.revisions.map { revision in
            var revision = revision
            revision.author = local(revision.author)
            revision.snapshot.creator = local(revision.snapshot.creator)
            return revision
        }
        let itemIDs = Set(items.map(\.id))
        let grants = self.grants.filter { itemIDs.contains($0.item) }
        let skipped = self.grants.filter { !itemIDs.contains($0.item) }.map { SkippedGrant(grant: $0, reason: .unknownItem) }
        var usernames: [UserID: String] = [:]
        for user in users { usernames[local(user.id) ?? user.id] = user.username }
        let records = SiteRecords(site: site, items: items, revisions: revisions, redirects: redirects, grants: grants, usernames: usernames)
        return (records, skipped)
    }
}
