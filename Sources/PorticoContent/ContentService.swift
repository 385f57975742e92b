public import Foundation
public import PorticoCore
public import PorticoStore

/// The single write path for content.
///
/// Every change to an item goes through here, in this order: permission check, validation,
/// derivation (slug, path, rendered HTML), one atomic store write that also records a
/// revision, and finally a typed `ContentEvent` for caches, the catalog and other nodes.
/// Nothing else in Portico writes items.
public final class ContentService: Sendable {
    public let store: any ContentStore
    public let events: ContentEventBus
    public let clock: any PorticoClock
    public let ids: any IdentifierSource
    public let policy: AccessPolicy
    let markdown = MarkdownRenderer()

    public init(store: any ContentStore, events: ContentEventBus, clock: any PorticoClock = SystemClock(), ids: any IdentifierSource = RandomIdentifierSource(), policy: AccessPolicy = AccessPolicy()) {
        self.store = store
        self.events = events
        self.clock = clock
        self.ids = ids
        self.policy = policy
    }

    /// Adds an item under `parent`. The slug is derived from the title when the draft has
    /// none, and made unique among the siblings.
    @discardableResult
    public func create(in site: SiteID, under parent: ItemID, _ draft: ItemDraft, state: ItemState = .private, by principal: Principal, comment: String = "Created") async throws -> Item {
        let draft = draft.withoutNULs
        let content = try await store.content(of: site)
        let now = clock.now().roundedToMilliseconds
        let parentItem = try await authorize(.addChild, parent, in: site, content: content, by: principal, at: now, refusal: "you may not add items here").item
        guard parentItem.type.isContainer else {
            throw PorticoError.invalid(field: "parent", reason: "is a \(parentItem.type.displayName) and cannot contain items")
        }
        let atRoot = parentItem.isRoot
        var errors = draft.problems(atRoot: atRoot)
        let siblings = try await content.childSlugs(of: parent)
        var slug = draft.slug ?? ""
        if draft.slug == nil {
            var base = Slug.make(from: draft.title)
            if atRoot && Slug.reservedAtRoot.contains(base) { base += "-page" }
            slug = Slug.unique(base, among: siblings)
        } else if siblings.contains(slug) {
            errors.append(FieldError(field: "slug", message: "Another item in this folder already uses the short name “\(slug)”."))
        }
        guard errors.isEmpty else { throw PorticoError.validation(errors) }

        let position = try await content.nextPosition(under: parent)
        let item = Item(
            id: ItemID(ids.newID()), parentID: parent, path: ContentPath.join(parentItem.path, slug), slug: slug,
            type: draft.type, title: draft.title.trimmingWhitespaceAndNewlines,
            description: draft.description.trimmingWhitespaceAndNewlines,
            body: draft.body, bodyHTML: bodyHTML(draft.type, draft.body), state: state,
            created: now, modified: now, effective: (draft.effective ?? now).roundedToMilliseconds,
            expires: draft.expires?.roundedToMilliseconds, creator: principal.userID, position: position, version: 1,
            tags: draft.tags, membersOnly: draft.type == .folder && draft.membersOnly, event: draft.event.map(Self.rounded), linkTarget: draft.linkTarget?.trimmingCharacters(in: .whitespaces),
            blob: draft.blob, imageSize: draft.imageSize, message: draft.type == .message ? draft.message : nil
        )
        try await content.insert(item, revision: Revision(itemID: item.id, version: 1, author: principal.userID, date: now, comment: comment, snapshot: item))
        await events.publish(.itemCreated(site: site, item: item))
        return item
    }

    /// Adds many items under one folder in one transaction (imports: mail archives). The same
    /// rules as `create`, checked once for the folder; slugs are made unique against the folder
    /// without reading all its children (a folder may hold a million messages). All or nothing.
    @discardableResult
    public func createMany(in site: SiteID, under parent: ItemID, _ drafts: [ItemDraft], state: ItemState = .private, by principal: Principal, comment: String = "Imported") async throws -> [Item] {
        let batch = try await prepareMany(in: site, under: parent, drafts, state: state, by: principal, comment: comment)
        try await commit(batch)
        return batch.items
    }

    /// Items checked and derived, ready to be stored by `commit(_:)`.
    public struct PreparedBatch: Sendable {
        public let site: SiteID
        let entries: [(item: Item, revision: Revision)]
        public var items: [Item] { entries.map(\.item) }
    }

    /// The first half of `createMany`: permission, validation, slugs, paths, positions,
    /// revisions. Commit a batch before preparing the next under the same folder.
    public func prepareMany(in site: SiteID, under parent: ItemID, _ drafts: [ItemDraft], state: ItemState = .private, by principal: Principal, comment: String = "Imported") async throws -> PreparedBatch {
        guard !drafts.isEmpty else { return PreparedBatch(site: site, entries: []) }
        var bulk = try await beginBulk(in: site, under: [parent], by: principal)
        return try await prepare([(parent, drafts)], in: &bulk, state: state, comment: comment)
    }

    /// The running state of a bulk insertion (a mail import) across its batches, so that a
    /// batch can be prepared while the one before it is still being written:
    /// - the folders it adds to, checked once when it begins;
    /// - their next positions;
    /// - the addresses given to the batch prepared last, which may not be stored yet.
    /// At most one prepared batch may be waiting to be committed when the next is prepared.
    public struct BulkInsertion: Sendable {
        public let site: SiteID
        let principal: Principal
        var parents: [ItemID: Item]
        var nextPositions: [ItemID: Int]
        var pendingPaths: Set<String> = []
    }

    /// Checks that `principal` may add items to each of `parents`, for `prepare(_:in:)`.
    public func beginBulk(in site: SiteID, under parents: [ItemID], by principal: Principal) async throws -> BulkInsertion {
        let content = try await store.content(of: site)
        let now = clock.now().roundedToMilliseconds
        var items: [ItemID: Item] = [:]
        var positions: [ItemID: Int] = [:]
        for parent in parents where items[parent] == nil {
            let item = try await authorize(.addChild, parent, in: site, content: content, by: principal, at: now, refusal: "you may not add items here").item
            guard item.type.isContainer else {
                throw PorticoError.invalid(field: "parent", reason: "is a \(item.type.displayName) and cannot contain items")
            }
            items[parent] = item
            positions[parent] = try await content.nextPosition(under: parent)
        }
        return BulkInsertion(site: site, principal: principal, parents: items, nextPositions: positions)
    }

    /// Validation, slugs, paths, positions and revisions for drafts under the bulk insertion's
    /// folders; slugs are made unique against each folder without reading all its children
    /// (a folder may hold a million messages). All or nothing.
    public func prepare(_ groups: [(parent: ItemID, drafts: [ItemDraft])], in bulk: inout BulkInsertion, state: ItemState, comment: String) async throws -> PreparedBatch {
        let content = try await store.content(of: bulk.site)
        let now = clock.now().roundedToMilliseconds
        var errors: [FieldError] = []
        var planned: [(parent: Item, drafts: [ItemDraft], slugs: [String])] = []
        for group in groups where !group.drafts.isEmpty {
            guard let parent = bulk.parents[group.parent] else { throw PorticoError.invalid(field: "parent", reason: "was not checked when the bulk insertion began") }
            let drafts = group.drafts.map(\.withoutNULs)
            var slugs: [String] = []
            slugs.reserveCapacity(drafts.count)
            for draft in drafts {
                errors += draft.problems(atRoot: parent.isRoot)
                var base = draft.slug ?? Slug.make(from: draft.title)
                if parent.isRoot && Slug.reservedAtRoot.contains(base) { base += "-page" }
                slugs.append(base)
            }
            planned.append((parent, drafts, slugs))
        }
        guard errors.isEmpty else { throw PorticoError.validation(errors) }
        // Only the wanted addresses are looked up; clashes get the usual "-2" suffixes.
        let wanted = Array(Set(planned.flatMap { group in group.slugs.map { ContentPath.join(group.parent.path, $0) } }))
        var taken = bulk.pendingPaths
        for start in stride(from: 0, to: wanted.count, by: 500) {
            for item in try await content.items(paths: Array(wanted[start..<min(wanted.count, start + 500)])) { taken.insert(item.path) }
        }
        var entries: [(item: Item, revision: Revision)] = []
        entries.reserveCapacity(planned.reduce(0) { $0 + $1.drafts.count })
        var paths: Set<String> = []
        for (parent, drafts, slugs) in planned {
            var position = bulk.nextPositions[parent.id] ?? 0
            for (draft, base) in zip(drafts, slugs) {
                var slug = base
                if taken.contains(ContentPath.join(parent.path, slug)) {
                    slug = try await Self.freeSlug(base, under: parent.path, taken: taken, content: content)
                }
                let path = ContentPath.join(parent.path, slug)
                taken.insert(path)
                paths.insert(path)
                let item = Item(
                    id: ItemID(ids.newID()), parentID: parent.id, path: path, slug: slug,
                    type: draft.type, title: draft.title.trimmingWhitespaceAndNewlines,
                    description: draft.description.trimmingWhitespaceAndNewlines,
                    body: draft.body, bodyHTML: bodyHTML(draft.type, draft.body), state: state,
                    created: now, modified: now, effective: min(draft.effective ?? now, now).roundedToMilliseconds,
                    expires: draft.expires?.roundedToMilliseconds, creator: bulk.principal.userID, position: position, version: 1,
                    tags: draft.tags, membersOnly: false, event: draft.event.map(Self.rounded), linkTarget: draft.linkTarget,
                    blob: draft.blob, imageSize: draft.imageSize, message: draft.type == .message ? draft.message : nil
                )
                position += 1
                entries.append((item, Revision(itemID: item.id, version: 1, author: bulk.principal.userID, date: now, comment: comment, snapshot: item)))
            }
            bulk.nextPositions[parent.id] = position
        }
        bulk.pendingPaths = paths
        return PreparedBatch(site: bulk.site, entries: entries)
    }

    /// The first of `base-2`, `base-3`, … free under `parentPath`: neither stored nor in
    /// `taken`. Looked up 50 at a time, never by reading all the folder's children.
    private static func freeSlug(_ base: String, under parentPath: String, taken: Set<String>, content: any SiteContentStore) async throws -> String {
        var first = 2
        while true {
            let candidates = (first..<first + 50).map { Slug.numbered(base, $0) }
            let paths = candidates.map { ContentPath.join(parentPath, $0) }
            let stored = Set(try await content.items(paths: paths).map(\.path))
            for (slug, path) in zip(candidates, paths) where !stored.contains(path) && !taken.contains(path) { return slug }
            first += 50
        }
    }

    /// The second half of `createMany`: one transaction, then the events.
    public func commit(_ batch: PreparedBatch) async throws {
        try await commit([batch])
    }

    /// Several prepared batches of one site (under different folders) in one transaction.
    public func commit(_ batches: [PreparedBatch]) async throws {
        let entries = batches.flatMap(\.entries)
        guard let site = batches.first?.site, !entries.isEmpty else { return }
        guard batches.allSatisfy({ $0.site == site }) else { throw PorticoError.invalid(field: "batch", reason: "one commit holds the items of one site") }
        try await store.content(of: site).insert(batch: entries)
        for entry in entries { await events.publish(.itemCreated(site: site, item: entry.item)) }
    }

    /// Saves a changed item. `expectedVersion` is the version the editor started from; if
    /// someone saved in between, this throws `.conflict` and nothing is overwritten.
    @discardableResult
    public func update(in site: SiteID, id: ItemID, _ draft: ItemDraft, expectedVersion: Int, by principal: Principal, comment: String = "Edited") async throws -> Item {
        let content = try await store.content(of: site)
        let now = clock.now().roundedToMilliseconds
        let located = try await authorize(.edit, id, in: site, content: content, by: principal, at: now, refusal: "you may not edit this item")
        let current = located.item
        let ancestors = located.ancestors
        guard draft.type == current.type else { throw PorticoError.invalid(field: "type", reason: "cannot be changed") }
        guard current.version == expectedVersion else {
            throw PorticoError.conflict("“\(current.title)” was changed by someone else since you started editing (version \(current.version), you started from \(expectedVersion))")
        }
        var draft = draft.withoutNULs
        if current.isRoot { draft.slug = nil }  // the root has no slug
        var errors = draft.problems(atRoot: ancestors.count == 1)
        var slug = current.slug
        if let newSlug = draft.slug, newSlug != current.slug, !current.isRoot {
            if let parent = current.parentID, try await content.childSlugs(of: parent).contains(newSlug) {
                errors.append(FieldError(field: "slug", message: "Another item in this folder already uses the short name “\(newSlug)”."))
            }
            slug = newSlug
        }
        guard errors.isEmpty else { throw PorticoError.validation(errors) }

        var item = current
        item.slug = slug
        if !current.isRoot, let parentPath = ancestors.first(where: { $0.id == current.parentID })?.path {
            item.path = ContentPath.join(parentPath, slug)
        }
        item.title = draft.title.trimmingWhitespaceAndNewlines
        item.description = draft.description.trimmingWhitespaceAndNewlines
        if draft.body != current.body { item.bodyHTML = bodyHTML(current.type, draft.body) }
        item.body = draft.body
        item.tags = draft.tags
        item.membersOnly = current.type == .folder && draft.membersOnly
        item.effective = (draft.effective ?? current.effective).roundedToMilliseconds
        item.expires = draft.expires?.roundedToMilliseconds
        item.event = draft.event.map(Self.rounded)
        item.linkTarget = draft.linkTarget?.trimmingCharacters(in: .whitespaces)
        item.blob = draft.blob
        item.imageSize = draft.imageSize
        if current.type == .message { item.message = draft.message }
        return try await save(item, from: current, expectedVersion: expectedVersion, in: site, content: content, now: now, by: principal, comment: comment)
    }

    /// Makes a workflow transition (submit, publish, reject, retract), recording the comment
    /// in the revision history.
    @discardableResult
    public func transition(in site: SiteID, id: ItemID, _ transition: Transition, by principal: Principal, comment: String = "") async throws -> Item {
        let content = try await store.content(of: site)
        let now = clock.now().roundedToMilliseconds
        let located = try await authorize(.view, id, in: site, content: content, by: principal, at: now, refusal: "")
        let (current, ancestors, roles) = (located.item, located.ancestors, located.roles)
        guard transition.sources.contains(current.state) else {
            throw PorticoError.conflict("“\(current.title)” is \(current.state.displayName.lowercased()); it cannot be changed with “\(transition.displayName)”")
        }
        guard policy.allows(principal, transition, item: current, ancestors: ancestors, roles: roles, at: now) else {
            throw PorticoError.forbidden("you may not \(transition.displayName.lowercased()) this item")
        }
        var item = current
        item.state = transition.target
        let note = comment.trimmingWhitespaceAndNewlines
        let summary = note.isEmpty ? transition.doneMessage : "\(transition.doneMessage): \(note)"
        return try await save(item, from: current, expectedVersion: current.version, in: site, content: content, now: now, by: principal, comment: summary)
    }

    /// Sets a state directly, outside the workflow (imports, the CLI, tests). Administrators only.
    @discardableResult
    public func setState(in site: SiteID, id: ItemID, to state: ItemState, by principal: Principal, comment: String = "") async throws -> Item {
        guard principal.isAdministrator else { throw PorticoError.forbidden("only administrators may set a state directly") }
        let content = try await store.content(of: site)
        guard let current = try await content.item(id: id) else { throw PorticoError.notFound("item") }
        guard current.state != state else { return current }
        var item = current
        item.state = state
        let now = clock.now().roundedToMilliseconds
        return try await save(item, from: current, expectedVersion: current.version, in: site, content: content, now: now, by: principal, comment: comment.isEmpty ? "State: \(state.displayName)" : comment)
    }

    /// An item with what a decision about it needs: its ancestors and the principal's roles.
    struct Located {
        let item: Item
        let ancestors: [Item]
        let roles: Set<Role>
    }

    /// Finds item `id` and checks that `principal` may do `action` to it. Someone who may not
    /// even see it gets `.notFound` (its existence does not leak); otherwise `.forbidden(refusal)`.
    func authorize(_ action: Action, _ id: ItemID, in site: SiteID, content: any SiteContentStore, by principal: Principal, at now: Date, refusal: String) async throws -> Located {
        guard let item = try await content.item(id: id) else { throw PorticoError.notFound("item") }
        let ancestors = try await content.items(paths: item.ancestorPaths)
        let roles = try await self.roles(of: principal, in: site, at: item, ancestors: ancestors)
        guard policy.allows(principal, .view, item: item, ancestors: ancestors, roles: roles, at: now) else { throw PorticoError.notFound("item") }
        guard policy.allows(principal, action, item: item, ancestors: ancestors, roles: roles, at: now) else { throw PorticoError.forbidden(refusal) }
        return Located(item: item, ancestors: ancestors, roles: roles)
    }

    /// The roles `principal` holds at `item`: grants on the item and on every ancestor, found
    /// with one query by id (never one condition per grant).
    public func roles(of principal: Principal, in site: SiteID, at item: Item, ancestors: [Item]) async throws -> Set<Role> {
        guard let user = principal.userID, !principal.isAdministrator else { return [] }
        let ids = ancestors.map(\.id) + [item.id]
        return Set(try await store.grants(site: site, user: user, on: ids).map(\.role))
    }

    /// Gives `role` to `user` on `item` (and so on everything below it). Managers only.
    public func grant(_ role: Role, to user: UserID, on itemID: ItemID, in site: SiteID, by principal: Principal) async throws {
        try await requireSharing(on: itemID, in: site, by: principal)
        guard try await store.user(user) != nil else { throw PorticoError.notFound("user") }
        try await store.addGrant(RoleGrant(site: site, user: user, item: itemID, role: role))
    }

    /// Takes back a role given with `grant`. Managers only.
    public func revoke(_ role: Role, from user: UserID, on itemID: ItemID, in site: SiteID, by principal: Principal) async throws {
        try await requireSharing(on: itemID, in: site, by: principal)
        try await store.removeGrant(RoleGrant(site: site, user: user, item: itemID, role: role))
    }

    private func requireSharing(on itemID: ItemID, in site: SiteID, by principal: Principal) async throws {
        let content = try await store.content(of: site)
        _ = try await authorize(.manageSharing, itemID, in: site, content: content, by: principal, at: clock.now(), refusal: "you may not change who has access here")
    }

    /// Removes an item and everything below it.
    public func delete(in site: SiteID, id: ItemID, by principal: Principal) async throws {
        let content = try await store.content(of: site)
        let current = try await authorize(.delete, id, in: site, content: content, by: principal, at: clock.now(), refusal: "you may not delete this item").item
        let descendants = try await content.delete(id)
        await events.publish(.itemDeleted(site: site, item: current, descendants: descendants))
    }

    /// Restores the content of an earlier revision as a new revision. The item keeps its place,
    /// short name and workflow state; only what an editor edits comes back.
    @discardableResult
    public func revert(in site: SiteID, id: ItemID, to version: Int, expectedVersion: Int, by principal: Principal) async throws -> Item {
        let content = try await store.content(of: site)
        guard let current = try await content.item(id: id) else { throw PorticoError.notFound("item") }
        guard let revision = try await content.revisions(of: id).first(where: { $0.version == version }) else {
            throw PorticoError.notFound("version \(version)")
        }
        let old = revision.snapshot
        var draft = ItemDraft(current)
        draft.title = old.title
        draft.description = old.description
        draft.body = old.body
        draft.tags = old.tags
        draft.membersOnly = old.membersOnly
        draft.effective = old.effective
        draft.expires = old.expires
        draft.event = old.event
        draft.linkTarget = old.linkTarget
        draft.blob = old.blob
        draft.imageSize = old.imageSize
        return try await update(in: site, id: id, draft, expectedVersion: expectedVersion, by: principal, comment: "Reverted to version \(version)")
    }

    /// Moves an item (and everything below it) into another folder. Its old addresses keep
    /// working (301). The short name is made unique in the destination if needed.
    @discardableResult
    public func move(in site: SiteID, id: ItemID, into destinationID: ItemID, by principal: Principal) async throws -> Item {
        let content = try await store.content(of: site)
        let now = clock.now().roundedToMilliseconds
        let current = try await authorize(.delete, id, in: site, content: content, by: principal, at: now, refusal: "you may not move this item").item
        guard !current.isRoot else { throw PorticoError.invalid(field: "item", reason: "is the site root and cannot be moved") }
        let destination = try await authorize(.addChild, destinationID, in: site, content: content, by: principal, at: now, refusal: "you may not add items to that folder").item
        guard destination.type.isContainer else { throw PorticoError.invalid(field: "destination", reason: "is not a folder") }
        guard destination.id != current.id, !destination.path.hasPrefix(current.path + "/") else {
            throw PorticoError.invalid(field: "destination", reason: "is inside the item being moved")
        }
        if destination.id == current.parentID { return current }
        var item = current
        item.parentID = destination.id
        item.slug = Slug.unique(current.slug, among: try await content.childSlugs(of: destination.id))
        item.path = ContentPath.join(destination.path, item.slug)
        item.position = try await content.count(matching: ItemQuery(parentID: destination.id))
        return try await save(item, from: current, expectedVersion: current.version, in: site, content: content, now: now, by: principal, comment: "Moved to \(destination.path)")
    }

    /// Copies an item and everything below it into a folder. Copies are private drafts owned
    /// by the person copying, with new ids.
    @discardableResult
    public func copy(in site: SiteID, id: ItemID, into destinationID: ItemID, by principal: Principal) async throws -> Item {
        let content = try await store.content(of: site)
        guard let original = try await content.item(id: id), !original.isRoot else { throw PorticoError.notFound("item") }
        guard let destination = try await content.item(id: destinationID) else { throw PorticoError.notFound("destination folder") }
        guard destination.id != original.id, !destination.path.hasPrefix(original.path + "/") else {
            throw PorticoError.invalid(field: "destination", reason: "is inside the item being copied")
        }
        // Only what the person copying may see is copied (else a copy would make them the
        // creator of someone else's private draft).
        let now = clock.now()
        _ = try await authorize(.view, original.id, in: site, content: content, by: principal, at: now, refusal: "")
        let below = try await content.items(matching: ItemQuery(below: original.path, order: .path))
        var newIDs: [ItemID: ItemID] = [:]
        var copyOfRoot: Item?
        for source in [original] + below {
            if source.id != original.id {
                guard let sourceParent = source.parentID, newIDs[sourceParent] != nil else { continue }
                do {
                    _ = try await authorize(.view, source.id, in: site, content: content, by: principal, at: now, refusal: "")
                } catch PorticoError.notFound {
                    continue
                }
            }
            let parent = source.id == original.id ? destinationID : newIDs[source.parentID!]!
            var draft = ItemDraft(source)
            draft.slug = source.id == original.id ? Slug.unique(source.slug, among: try await content.childSlugs(of: parent)) : source.slug
            // A message id is unique in a site: the copy gets its own.
            if draft.message != nil { draft.message!.messageID += "#copy-" + ids.newID() }
            let created = try await create(in: site, under: parent, draft, state: .private, by: principal, comment: "Copied from \(source.path)")
            newIDs[source.id] = created.id
            if source.id == original.id { copyOfRoot = created }
        }
        return copyOfRoot!
    }

    /// Moves an item one place up (`offset` -1) or down (+1) among its siblings.
    public func reorder(in site: SiteID, id: ItemID, offset: Int, by principal: Principal) async throws {
        let content = try await store.content(of: site)
        guard let item = try await content.item(id: id), let parentID = item.parentID, let parent = try await content.item(id: parentID) else {
            throw PorticoError.notFound("item")
        }
        let ancestors = try await content.items(paths: parent.ancestorPaths)
        let roles = try await self.roles(of: principal, in: site, at: parent, ancestors: ancestors)
        guard policy.allows(principal, .addChild, item: parent, ancestors: ancestors, roles: roles, at: clock.now()),
              roles.contains(.manager) || roles.contains(.editor) || principal.isAdministrator else {
            throw PorticoError.forbidden("you may not reorder this folder")
        }
        var siblings = try await content.items(matching: ItemQuery(parentID: parentID))
        guard let index = siblings.firstIndex(where: { $0.id == id }) else { return }
        let target = index + offset
        guard siblings.indices.contains(target) else { return }
        siblings.swapAt(index, target)
        try await content.reorder(children: parentID, siblings.map(\.id))
        for (position, sibling) in siblings.enumerated() where sibling.position != position {
            var after = sibling
            after.position = position
            await events.publish(.itemUpdated(site: site, before: sibling, after: after))
        }
    }

    /// Stores uploaded bytes in the site's blob store, judging their type from the content.
    /// Throws `.invalid` when the content is of no accepted type.
    public func storeBlob(in site: SiteID, data: Data, filename: String) async throws -> (BlobReference, ImageDimensions?) {
        guard let sniffed = MediaSniffer.sniff(data) else {
            throw PorticoError.invalid(field: "file", reason: "is of a type that cannot be uploaded")
        }
        let content = try await store.content(of: site)
        let (sha, size) = try await content.blobs.put(data)
        let reference = BlobReference(sha256: sha, mimeType: sniffed.mimeType, size: size, filename: Self.safeFilename(filename))
        return (reference, sniffed.dimensions)
    }

    private func save(_ changed: Item, from current: Item, expectedVersion: Int, in site: SiteID, content: any SiteContentStore, now: Date, by principal: Principal, comment: String) async throws -> Item {
        var item = changed
        item.modified = now
        item.version = expectedVersion + 1
        let revision = Revision(itemID: item.id, version: item.version, author: principal.userID, date: now, comment: comment, snapshot: item)
        try await content.update(item, expectedVersion: expectedVersion, revision: revision)
        await events.publish(.itemUpdated(site: site, before: current, after: item))
        return item
    }

    /// The body as HTML: Markdown for what editors write. A mail message's text is shown as
    /// sent, escaped when its page is rendered (`plainTextHTML`), so nothing is stored twice.
    func bodyHTML(_ type: ItemType, _ body: String) -> String {
        type == .message ? "" : markdown.html(from: body)
    }

    /// Plain text as HTML: escaped, in a block that keeps its line breaks (see the stylesheet).
    public static func plainTextHTML(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        let open = Array(#"<div class="message-text">"#.utf8)
        let close = Array("</div>".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + open.count + close.count + 64)
        bytes.append(contentsOf: open)
        HTMLEscaping.append(text.utf8, to: &bytes)
        bytes.append(contentsOf: close)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func rounded(_ event: EventDetails) -> EventDetails {
        EventDetails(start: event.start.roundedToMilliseconds, end: event.end.roundedToMilliseconds, location: event.location)
    }

    /// A download name without path parts or characters that could break a header.
    public static func safeFilename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0.value != 0x7F }.map(Character.init))
        let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed == "." || trimmed == ".." ? "file" : String(trimmed.prefix(200))
    }
}
