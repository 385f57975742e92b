import Foundation
public import Hummingbird
import Logging
public import PorticoCore
public import PorticoStore
import PorticoContent
import PorticoCache

/// The public face of every site: traversal from a path to an item, and its page.
///
/// Every item shown anywhere (the page itself, listings, navigation, the home page's news and
/// events, feeds, sitemaps, blobs) is filtered through `AccessPolicy`; an item the visitor may
/// not see answers 404, never 403, so its existence does not leak.
public struct PublicSite: Sendable {
    public let store: any ContentStore
    public let theme: Theme
    public let policy: AccessPolicy
    public let clock: any PorticoClock
    let content: ContentService
    /// Cache-Control per kind of response, from the configuration.
    let cacheControl: CacheControlPolicy
    /// Public pages' first reads, reused until their site changes.
    let pageReads: PageReadsCache

    public init(services: PorticoServices) {
        self.store = services.store
        self.theme = services.theme
        self.policy = services.content.policy
        self.clock = services.clock
        self.content = services.content
        self.cacheControl = services.cacheConfiguration.cacheControl
        self.pageReads = services.pageReads
    }

    /// The roles the request's user holds at `item` (none for anonymous visitors: no query).
    func roles(_ context: PorticoRequestContext, site: Site, at item: Item, ancestors: [Item]) async throws -> Set<Role> {
        guard context.principal != .anonymous else { return [] }
        return try await content.roles(of: context.principal, in: site.id, at: item, ancestors: ancestors)
    }

    // MARK: Pages

    /// Answers a GET for a content path of the request's site.
    public func page(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        let segments = try ContentPath.segments(of: request.uri.path)
        let path = ContentPath.path(of: segments)
        let content = try await store.content(of: site.id)
        let now = clock.now()
        context.dependsOn(.settings)

        // For whoever sees what the public sees (every anonymous visitor), the first reads of a
        // page come in one go; anyone else is checked item by item below.
        let reads: PageReads? = try await publicOnly(context, site: site.id)
            ? pageReads.reads(site: site.id, path: path, now: now) {
                try await content.page(PageRead(
                    path: path, navigation: Self.navigationQuery(now: now), children: ItemQuery(publiclyVisibleAt: now),
                    smallFolder: Self.largeFolder
                ))
            }
            : nil
        let found: Item?
        if let reads { found = reads.item } else { found = try await content.item(path: path) }
        guard let item = found else {
            return try await redirectOrNotFound(path: path, site: site, content: content, context: context, now: now)
        }
        let ancestors: [Item]
        if let reads {
            guard let found = reads.ancestors else { throw PorticoError.notFound("item") }
            ancestors = found
        } else {
            ancestors = try await orderedAncestors(of: item, content: content)
        }
        context.dependsOn(item: item)
        context.dependsOn(summaries: ancestors + [item])
        let roles = try await self.roles(context, site: site, at: item, ancestors: ancestors)
        guard policy.allows(context.principal, .view, item: item, ancestors: ancestors, roles: roles, at: now) else {
            throw PorticoError.notFound("item")
        }
        if item.type == .link, let target = item.linkTarget {
            let location = target.hasPrefix("/") ? context.basePath + target : target
            return Response(status: .found, headers: [.location: location, .cacheControl: "no-cache"])
        }

        let view = PageView(site: site, context: context, theme: theme)
        let navigation: [Item]
        if let reads, let root = item.isRoot ? item : ancestors.first {
            context.dependsOn(.children(root.id))
            context.dependsOn(summaries: reads.navigation)
            navigation = reads.navigation
        } else {
            navigation = try await navigationItems(content: content, context: context, now: now)
        }
        // A small folder's children as the public sees them, when they came with the page.
        let children: [Item]? = reads?.children.map { children in
            context.dependsOn(.children(item.id))
            context.dependsOn(summaries: children)
            return children
        }
        var values = view.common(title: item.title, description: item.description, navigation: navigation, current: item, ancestors: ancestors)
        values["item"] = view.itemValues(item)

        let html: [UInt8]
        switch item.type {
        case .folder where item.isRoot:
            try await addHomeValues(&values, view: view, root: item, children: children, content: content, context: context, now: now)
            values["isHome"] = true
            html = theme.renderBytes("home", values)
        case .folder where children == nil ? try await isLargeFolder(item, content: content, context: context, now: now) : false:
            // A mailing-list archive or any folder of thousands: newest first, a page at a time.
            let page = min(max(1, request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1), 100_000)
            let (children, total) = try await visibleChildrenPage(of: item, page: page, content: content, context: context, now: now)
            let pages = max(1, (total + Self.folderPageSize - 1) / Self.folderPageSize)
            values["hasChildren"] = !children.isEmpty
            values["children"] = ThemeValue.list(children, view.listingValues)
            values["pageText"] = "Page \(min(page, pages)) of \(pages) (\(Formatting.count(total)) items, newest first)"
            if page > 1 { values["previousURL"] = view.url(item.path) + "?page=\(min(page, pages) - 1)" }
            if page < pages { values["nextURL"] = view.url(item.path) + "?page=\(page + 1)" }
            html = theme.renderBytes("folder", values)
        case .folder:
            var children = if let children { children } else { try await visibleChildren(of: item, content: content, context: context, now: now) }
            let isNewsListing = !children.isEmpty && children.allSatisfy { $0.type == .news }
            if isNewsListing { children.sort { $0.effective > $1.effective } }
            values["isNewsListing"] = isNewsListing
            values["hasChildren"] = !children.isEmpty
            values["children"] = ThemeValue.list(children, view.listingValues)
            html = theme.renderBytes("folder", values)
        case .message:
            values.merge(view.detailValues(item))
            let thread = try await threadValues(of: item, content: content, context: context, view: view, now: now)
            values["thread"] = thread
            values["hasThread"] = !thread.isEmpty
            html = theme.renderBytes("item", values)
        default:
            values.merge(view.detailValues(item))
            html = theme.renderBytes("item", values)
        }
        return PageView.htmlResponse(html, cacheControl: cacheControl.page)
    }

    /// An old path of a moved item answers 301 to where it is now; anything else is 404.
    private func redirectOrNotFound(path: String, site: Site, content: any SiteContentStore, context: PorticoRequestContext, now: Date) async throws -> Response {
        context.dependsOn(.addresses)
        if let id = try await content.redirect(from: path), let target = try await content.item(id: id) {
            let ancestors = try await orderedAncestors(of: target, content: content)
            let roles = try await self.roles(context, site: site, at: target, ancestors: ancestors)
            if policy.allows(context.principal, .view, item: target, ancestors: ancestors, roles: roles, at: now) {
                return Response(status: .movedPermanently, headers: [.location: context.basePath + target.path, .cacheControl: "no-cache"])
            }
        }
        throw PorticoError.notFound("item")
    }

    // MARK: Building blocks

    /// The messages of `message`'s thread the visitor may see, oldest first (at most 200). A
    /// new message of the thread is a new child of its list's folder, so depending on that
    /// folder's children keeps cached thread pages current.
    func threadValues(of message: Item, content: any SiteContentStore, context: PorticoRequestContext, view: PageView, now: Date) async throws -> [ThemeFields] {
        guard let thread = message.message?.threadID else { return [] }
        if let parent = message.parentID { context.dependsOn(.children(parent)) }
        let publicOnly = try await self.publicOnly(context, site: content.siteID)
        var messages = try await content.items(matching: ItemQuery(publiclyVisibleAt: publicOnly ? now : nil, threadID: thread, order: .messageDate, limit: 200))
        if !publicOnly {
            var visible: [Item] = []
            for candidate in messages {
                let ancestors = try await orderedAncestors(of: candidate, content: content)
                let roles = try await self.content.roles(of: context.principal, in: content.siteID, at: candidate, ancestors: ancestors)
                if policy.allows(context.principal, .view, item: candidate, ancestors: ancestors, roles: roles, at: now) { visible.append(candidate) }
            }
            messages = visible
        } else {
            let hidden = try await content.hiddenFolderPaths(at: now)
            messages = messages.filter { candidate in !hidden.contains { candidate.path.hasPrefix($0 + "/") } }
        }
        guard messages.count > 1 else { return [] }
        context.dependsOn(summaries: messages)
        return messages.map { entry -> ThemeFields in
            var values: ThemeFields = [
                "title": entry.title, "url": view.url(entry.path), "from": entry.message?.from ?? "",
                "date": entry.message.map { Formatting.dayAndTime($0.date) } ?? "",
            ]
            if entry.id == message.id { values["current"] = true }
            return values
        }
    }

    /// Ancestors of `item`, root first.
    func orderedAncestors(of item: Item, content: any SiteContentStore) async throws -> [Item] {
        let paths = item.ancestorPaths
        guard !paths.isEmpty else { return [] }
        let found = try await content.items(paths: paths)
        let byPath = Dictionary(found.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        // A missing ancestor would mean a broken tree; treat the item as unreachable.
        let ordered = paths.compactMap { byPath[$0] }
        guard ordered.count == paths.count else { throw PorticoError.notFound("item") }
        return ordered
    }

    /// The top-level navigation: the root's visible folders, pages and links, in folder order.
    func navigationItems(content: any SiteContentStore, context: PorticoRequestContext, now: Date) async throws -> [Item] {
        let root = try await content.root()
        return try await visibleChildren(of: root, content: content, context: context, now: now, types: Self.navigationTypes)
    }

    static let navigationTypes: Set<ItemType> = [.folder, .page, .link]

    /// The navigation as the public sees it (`PageRead` sets the root as parent).
    static func navigationQuery(now: Date) -> ItemQuery {
        ItemQuery(types: navigationTypes, publiclyVisibleAt: now)
    }

    /// Whether listings for this request can be filtered in the query (anonymous visitors and
    /// users without any role in the site).
    func publicOnly(_ context: PorticoRequestContext, site: SiteID) async throws -> Bool {
        guard let user = context.principal.userID else { return true }
        if context.principal.isAdministrator { return false }
        return try await store.grants(user: user).allSatisfy { $0.site != site }
    }

    /// Children of a visible item that the principal may see, in folder order.
    func visibleChildren(of parent: Item, content: any SiteContentStore, context: PorticoRequestContext, now: Date, types: Set<ItemType>? = nil) async throws -> [Item] {
        let publicOnly = try await self.publicOnly(context, site: content.siteID)
        let children = try await content.items(matching: ItemQuery(parentID: parent.id, types: types, publiclyVisibleAt: publicOnly ? now : nil))
        context.dependsOn(.children(parent.id))
        context.dependsOn(summaries: children)
        if publicOnly { return children }
        let ancestors = try await orderedAncestors(of: parent, content: content) + [parent]
        let parentRoles = try await self.content.roles(of: context.principal, in: content.siteID, at: parent, ancestors: Array(ancestors.dropLast()))
        var childGrants: [RoleGrant] = []
        if let user = context.principal.userID { childGrants = try await store.grants(site: content.siteID, user: user, on: children.map(\.id)) }
        return children.filter { child in
            let roles = parentRoles.union(childGrants.filter { $0.item == child.id }.map(\.role))
            return policy.allows(context.principal, .view, item: child, ancestors: ancestors, roles: roles, at: now)
        }
    }

    /// Folders with more children than this are listed a page at a time, newest first.
    static let largeFolder = 500
    static let folderPageSize = 100

    func isLargeFolder(_ folder: Item, content: any SiteContentStore, context: PorticoRequestContext, now: Date) async throws -> Bool {
        guard try await content.nextPosition(under: folder.id) > Self.largeFolder else { return false }
        // Counted as the public sees them, so the layout tells nobody about private children.
        return try await content.count(matching: ItemQuery(parentID: folder.id, publiclyVisibleAt: now)) > Self.largeFolder
    }

    /// One page of a large folder's children the principal may see, newest first, and how
    /// many there are. Both come from one query, so the count never includes what the page
    /// would not show: administrators and editors or managers of the folder see every child;
    /// everyone else sees what the public sees (drafts in a folder of thousands are found
    /// with search or the editor's contents view).
    func visibleChildrenPage(of parent: Item, page: Int, content: any SiteContentStore, context: PorticoRequestContext, now: Date) async throws -> (items: [Item], total: Int) {
        var seesEverything = context.principal.isAdministrator
        if !seesEverything, context.principal.userID != nil {
            let ancestors = try await orderedAncestors(of: parent, content: content)
            let roles = try await self.content.roles(of: context.principal, in: content.siteID, at: parent, ancestors: ancestors)
            seesEverything = roles.contains(.editor) || roles.contains(.manager)
        }
        context.dependsOn(.children(parent.id))
        let query = ItemQuery(parentID: parent.id, publiclyVisibleAt: seesEverything ? nil : now, order: .newestFirst, limit: Self.folderPageSize, offset: (page - 1) * Self.folderPageSize)
        let total = try await content.count(matching: query)
        let children = try await content.items(matching: query)
        context.dependsOn(summaries: children)
        return (children, total)
    }

    /// Items of the given types anywhere in the site that the principal may see, filtered by
    /// the visibility of their ancestors (a private folder hides its published news).
    /// Site-wide lists (home page, feed, sitemap) show what the public sees, also to editors:
    /// they are the public face of the site. A list given a name (`keptAs`, the home page's)
    /// is kept for reuse like a page's first reads (`PageReadsCache`). `until` says when a list
    /// goes out of date without any write (upcoming events, when the first one ends): the kept
    /// list and the cached response end then.
    func visibleItems(_ query: ItemQuery, content: any SiteContentStore, context: PorticoRequestContext, now: Date, limit: Int,
                      keptAs name: String? = nil, until: @escaping ([Item]) -> Date? = { _ in nil }) async throws -> [Item] {
        let read = { () async throws -> [Item] in
            var query = query
            query.publiclyVisibleAt = now
            let hidden = try await content.hiddenFolderPaths(at: now)
            let hiddenPrefixes = hidden.map { $0 == "/" ? "/" : $0 + "/" }
            var result: [Item] = []
            var offset = 0
            let batch = max(limit * 2, 50)
            while result.count < limit {
                query.limit = batch
                query.offset = offset
                let page = try await content.items(matching: query)
                for item in page where !hiddenPrefixes.contains(where: { item.path.hasPrefix($0) }) {
                    result.append(item)
                    if result.count == limit { break }
                }
                if page.count < batch { break }
                offset += batch
            }
            return result
        }
        let result = if let name {
            try await pageReads.items(site: content.siteID, name: name, now: now, until: until, read: read)
        } else {
            try await read()
        }
        context.dependsOn(summaries: result)
        context.shownUntil(until(result))
        return result
    }

    private func addHomeValues(_ values: inout ThemeFields, view: PageView, root: Item, children prefetched: [Item]?, content: any SiteContentStore, context: PorticoRequestContext, now: Date) async throws {
        context.dependsOn(.news)
        context.dependsOn(.events)
        let news = try await visibleItems(ItemQuery(types: [.news], order: .newestFirst), content: content, context: context, now: now, limit: 3, keptAs: "home-news")
        values["hasNews"] = !news.isEmpty
        values["news"] = ThemeValue.list(news, view.listingValues)
        if let first = news.first, let parentPath = first.ancestorPaths.last, parentPath != "/" {
            values["newsFolderURL"] = context.basePath + parentPath
        }
        // Current until the first listed event ends (then the next one moves up).
        let events = try await visibleItems(ItemQuery(types: [.event], eventsEndingAfter: now, order: .eventStart), content: content, context: context, now: now, limit: 4,
                                            keptAs: "home-events", until: { events in events.compactMap { $0.event?.end }.min() })
        values["hasEvents"] = !events.isEmpty
        values["events"] = ThemeValue.list(events) { event -> ThemeFields in
            var entry = view.listingValues(event)
            entry["location"] = event.event?.location ?? ""
            return entry
        }
        let children = if let prefetched { prefetched } else { try await visibleChildren(of: root, content: content, context: context, now: now) }
        values["hasChildren"] = !children.isEmpty
        values["children"] = ThemeValue.list(children, view.listingValues)
    }
}
