public import Foundation
public import PorticoCore
public import PorticoStore

/// One result as shown: the item, and its title and an excerpt with the matched words marked.
public struct SearchResult: Sendable {
    public var item: Item
    public var title: SearchSnippet
    public var excerpt: SearchSnippet
}

/// A page of results for one search.
public struct SearchResultPage: Sendable {
    public var request: SearchRequest
    public var results: [SearchResult]
    /// Matches the principal may see; a lower bound when `totalIsExact` is false.
    public var total: Int
    public var totalIsExact: Bool
    /// Counts by type, largest first.
    public var facets: [(type: ItemType, count: Int)]
    public var pageCount: Int
    /// Only the latest part of the site was searched (a phrase of common words in a large
    /// archive); `request.complete` searches everything.
    public var isPartial: Bool = false

    public static func empty(_ request: SearchRequest) -> SearchResultPage {
        SearchResultPage(request: request, results: [], total: 0, totalIsExact: true, facets: [], pageCount: 0)
    }
}

/// Searching a site's catalog for a principal: the one function behind the public search page,
/// the editor UI and (later) the API.
///
/// What the principal may see is turned into a `CatalogVisibility` the store applies in the
/// query itself, so totals and facet counts never count what the principal could not open;
/// each result shown is checked once more with `AccessPolicy`.
public struct SearchService: Sendable {
    public let content: ContentService
    /// How many of the latest added matches are ranked by relevance (see docs/search.md).
    public var rankWindow: Int

    public static let defaultRankWindow = 1_000

    public init(content: ContentService, rankWindow: Int = SearchService.defaultRankWindow) {
        self.content = content
        self.rankWindow = rankWindow
    }

    public func search(in site: SiteID, _ request: SearchRequest, by principal: Principal) async throws -> SearchResultPage {
        guard !request.query.isEmpty else { return .empty(request) }
        let store = try await content.store.content(of: site)
        let now = content.clock.now()
        let grants = try await siteGrants(of: principal, in: site)
        let visibility = try await visibility(of: principal, grants: grants, in: store, at: now)
        let hits = try await store.search(CatalogSearch(
            match: request.query.matchExpression, visibility: visibility, types: request.types, below: request.below,
            from: request.from, until: request.until, tagKey: request.tag.map(SearchDocument.tagKey), window: rankWindow,
            complete: request.complete
        ))
        let start = (request.page - 1) * request.pageSize
        let pageHits = start < hits.hits.count ? Array(hits.hits[start..<min(hits.hits.count, start + request.pageSize)]) : []
        let items = try await store.items(ids: pageHits.map(\.itemID))
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ancestorPaths = Set(items.flatMap(\.ancestorPaths))
        let ancestorsByPath = Dictionary(try await store.items(paths: Array(ancestorPaths)).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let words = request.query.highlightWords
        var results: [SearchResult] = []
        for hit in pageHits {
            guard let item = byID[hit.itemID] else { continue }
            let ancestors = item.ancestorPaths.compactMap { ancestorsByPath[$0] }
            let roles = Set(grants.filter { grant in grant.item == item.id || ancestors.contains { $0.id == grant.item } }.map(\.role))
            guard content.policy.allows(principal, .view, item: item, ancestors: ancestors, roles: roles, at: now) else { continue }
            let document = SearchDocument(item)
            let excerptSource = document.description.isEmpty ? document.body : document.description + " " + document.body
            results.append(SearchResult(
                item: item,
                title: .highlighting(item.title, words: words),
                excerpt: .excerpt(excerptSource, words: words)
            ))
        }
        let facets = hits.facets.map { (type: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.type.rawValue < $1.type.rawValue }
        let pageCount = (hits.hits.count + request.pageSize - 1) / request.pageSize
        return SearchResultPage(request: request, results: results, total: hits.total, totalIsExact: hits.totalIsExact, facets: facets, pageCount: pageCount, isPartial: hits.isPartial)
    }

    /// The grants `principal` holds anywhere in `site` (none for anonymous visitors and administrators).
    func siteGrants(of principal: Principal, in site: SiteID) async throws -> [RoleGrant] {
        guard let user = principal.userID, !principal.isAdministrator else { return [] }
        return try await content.store.grants(user: user).filter { $0.site == site }
    }

    /// The `AccessPolicy` view rules as a catalog filter: one subtree per granted item.
    func visibility(of principal: Principal, grants: [RoleGrant], in store: any SiteContentStore, at now: Date) async throws -> CatalogVisibility {
        if principal.isAdministrator { return CatalogVisibility(everything: true, at: now) }
        guard let user = principal.userID, !grants.isEmpty else { return .anonymous(at: now) }
        let granted = try await store.items(ids: Array(Set(grants.map(\.item))))
        var subtrees: [CatalogVisibility.Subtree] = []
        for item in granted {
            let roles = Set(grants.filter { $0.item == item.id }.map(\.role))
            let seesEverything = roles.contains(.manager) || roles.contains(.editor)
            if seesEverything && item.isRoot { return CatalogVisibility(everything: true, at: now) }
            subtrees.append(CatalogVisibility.Subtree(
                path: item.path, seesEverything: seesEverything, seesPublished: !roles.isEmpty,
                seesPending: roles.contains(.reviewer), contributor: roles.contains(.contributor) ? user : nil
            ))
        }
        return CatalogVisibility(everything: false, at: now, subtrees: subtrees.sorted { $0.path < $1.path })
    }
}
