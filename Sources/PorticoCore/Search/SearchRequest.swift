import Foundation

/// A search as the public search page, the editor UI and (later) the API ask for it.
public struct SearchRequest: Sendable, Equatable {
    public var query: SearchQuery
    /// Only items of these types (nil: any).
    public var types: Set<ItemType>?
    /// Only items in this folder's subtree (its path), the folder itself excluded.
    public var below: String?
    /// Only items whose search date (see `SearchDocument.date`) falls in this range.
    public var from: Date?
    public var until: Date?
    /// Only items with this tag (case- and accent-insensitive).
    public var tag: String?
    /// 1-based.
    public var page: Int
    public var pageSize: Int
    /// Search every entry even when that is slow (see `CatalogSearch.complete`).
    public var complete: Bool

    public static let maximumPage = 500

    public init(query: SearchQuery, types: Set<ItemType>? = nil, below: String? = nil, from: Date? = nil, until: Date? = nil, tag: String? = nil, page: Int = 1, pageSize: Int = 20, complete: Bool = false) {
        self.query = query
        self.complete = complete
        self.types = types
        self.below = below
        self.from = from
        self.until = until
        self.tag = tag
        self.page = min(max(1, page), Self.maximumPage)
        self.pageSize = min(max(1, pageSize), 100)
    }
}

/// Which catalog entries a principal may see, in terms a store can turn into one query.
///
/// Built by the content service from the principal's grants with the same rules as
/// `AccessPolicy` (a contract test checks they agree), so results, totals and facet counts
/// never include what the principal could not open.
public struct CatalogVisibility: Sendable, Equatable {
    /// Administrators and site-wide editors and managers see every item.
    public var everything: Bool
    /// Visibility is judged at this moment (scheduled publishing and expiry).
    public var at: Date
    /// What local or site roles add to public visibility, one entry per granted subtree.
    public var subtrees: [Subtree]

    public struct Subtree: Sendable, Equatable {
        /// The path of the item the roles were granted on ("/" for the site).
        public var path: String
        /// Editor or manager: everything in the subtree.
        public var seesEverything: Bool
        /// Any role: published content, members-only folders included.
        public var seesPublished: Bool
        /// Reviewer: items waiting for review.
        public var seesPending: Bool
        /// Contributor: own items in any state, and folders.
        public var contributor: UserID?

        public init(path: String, seesEverything: Bool, seesPublished: Bool, seesPending: Bool, contributor: UserID?) {
            self.path = path
            self.seesEverything = seesEverything
            self.seesPublished = seesPublished
            self.seesPending = seesPending
            self.contributor = contributor
        }
    }

    public init(everything: Bool, at: Date, subtrees: [Subtree] = []) {
        self.everything = everything
        self.at = at
        self.subtrees = subtrees
    }

    public static func anonymous(at date: Date) -> CatalogVisibility { CatalogVisibility(everything: false, at: date) }
}

/// A search as a store runs it: the match expression, filters and visibility.
public struct CatalogSearch: Sendable, Equatable {
    public var match: String
    public var visibility: CatalogVisibility
    public var types: Set<ItemType>?
    public var below: String?
    public var from: Date?
    public var until: Date?
    public var tagKey: String?
    /// How many of the latest added matches are ranked (see docs/search.md: "Relevance, and the window").
    public var window: Int
    /// False: a store may search only the latest part of a large catalog when the query would
    /// be slow everywhere (a phrase of common words), and say so with `CatalogHits.isPartial`.
    /// True: every entry, however long it takes.
    public var complete: Bool

    public init(match: String, visibility: CatalogVisibility, types: Set<ItemType>? = nil, below: String? = nil, from: Date? = nil, until: Date? = nil, tagKey: String? = nil, window: Int, complete: Bool = false) {
        self.match = match
        self.complete = complete
        self.visibility = visibility
        self.types = types
        self.below = below
        self.from = from
        self.until = until
        self.tagKey = tagKey
        self.window = window
    }
}

/// What a store found: ranked hits (best first), the total and counts by type.
public struct CatalogHits: Sendable, Equatable {
    public struct Hit: Sendable, Equatable {
        public var itemID: ItemID
        public var type: ItemType
        /// Lower is better (bm25).
        public var score: Double
        public init(itemID: ItemID, type: ItemType, score: Double) {
            self.itemID = itemID
            self.type = type
            self.score = score
        }
    }

    public var hits: [Hit]
    /// Matches the principal may see (at least `hits.count`).
    public var total: Int
    /// False when there were more matches than the ranking window: `total` is then a lower bound.
    public var totalIsExact: Bool
    /// Visible matches by type; over the ranked window when `totalIsExact` is false.
    public var facets: [ItemType: Int]
    /// Only the latest part of the catalog was searched (see `CatalogSearch.complete`); older
    /// entries may match too.
    public var isPartial: Bool

    public init(hits: [Hit], total: Int, totalIsExact: Bool, facets: [ItemType: Int], isPartial: Bool = false) {
        self.hits = hits
        self.total = total
        self.totalIsExact = totalIsExact
        self.facets = facets
        self.isPartial = isPartial
    }

    public static let empty = CatalogHits(hits: [], total: 0, totalIsExact: true, facets: [:])
}
