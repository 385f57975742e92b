public import PorticoCore

/// What a cached response was rendered from. A write evicts exactly the responses that
/// depend on what it changed (the surrogate-key idea); the same keys are sent to an external
/// Varnish as `xkey` headers.
public enum Dependency: Hashable, Sendable {
    /// The item's full content (its own page, the feed entry of a news item).
    case item(ItemID)
    /// What listings, navigation and breadcrumbs show of the item: title, summary, address,
    /// visibility, dates, order.
    case summary(ItemID)
    /// Which children a folder has, and in which order.
    case children(ItemID)
    /// Site-wide news lists (home page, feed).
    case news
    /// Site-wide event lists (home page).
    case events
    /// The sitemap: it lists every public page with its last change, so any write touches it.
    case sitemap
    /// Which addresses exist and where they lead (404 pages, redirects).
    case addresses
    /// Site settings shown on every page (name, colours, logo, footer).
    case settings
    /// Search results: any change to any item can change them.
    case catalog

    /// The surrogate key text, as used in `xkey` headers and purges.
    public var key: String {
        switch self {
        case .item(let id): return "i-\(id.rawValue)"
        case .summary(let id): return "s-\(id.rawValue)"
        case .children(let id): return "c-\(id.rawValue)"
        case .news: return "news"
        case .events: return "events"
        case .sitemap: return "sitemap"
        case .addresses: return "addresses"
        case .settings: return "settings"
        case .catalog: return "catalog"
        }
    }

    /// The dependency a surrogate key names (the reverse of `key`), or nil.
    public init?(key: String) {
        switch key {
        case "news": self = .news
        case "events": self = .events
        case "sitemap": self = .sitemap
        case "addresses": self = .addresses
        case "settings": self = .settings
        case "catalog": self = .catalog
        default:
            guard key.count > 2, let dash = key.firstIndex(of: "-") else { return nil }
            let id = ItemID(String(key[key.index(after: dash)...]))
            switch key[..<dash] {
            case "i": self = .item(id)
            case "s": self = .summary(id)
            case "c": self = .children(id)
            default: return nil
            }
        }
    }
}

/// What a content event makes stale.
public enum Invalidation: Sendable, Equatable {
    /// Responses of `site` that depend on any of these.
    case dependencies(SiteID, Set<Dependency>)
    /// Every response of the site (settings, hostnames, deletion).
    case site(SiteID)

    /// The invalidation for an event. Body-only edits touch only the item (and the news feed
    /// for news); changes to what listings show touch the listings; visibility changes of a
    /// folder touch the site-wide lists, since they can hide or show everything below it.
    public static func of(_ event: ContentEvent) -> Invalidation {
        switch event {
        case .itemCreated(let site, let item):
            var keys: Set<Dependency> = [.sitemap, .addresses, .catalog, .summary(item.id)]
            if let parent = item.parentID { keys.insert(.children(parent)) }
            keys.formUnion(typeLists(item))
            return .dependencies(site, keys)
        case .itemUpdated(let site, let before, let after):
            var keys: Set<Dependency> = [.item(after.id), .sitemap, .catalog]
            if summaryChanged(before, after) {
                keys.insert(.summary(after.id))
                if let parent = before.parentID { keys.insert(.children(parent)) }
                if let parent = after.parentID { keys.insert(.children(parent)) }
                keys.formUnion(typeLists(before))
                keys.formUnion(typeLists(after))
                if visibilityOrAddressChanged(before, after) {
                    keys.insert(.addresses)
                    if after.type == .folder || after.isRoot { keys.formUnion([.news, .events]) }
                }
            } else if after.type == .news {
                keys.insert(.news)  // the feed carries the body
            }
            return .dependencies(site, keys)
        case .itemDeleted(let site, let item, let descendants):
            var keys: Set<Dependency> = [.item(item.id), .summary(item.id), .sitemap, .addresses, .news, .events, .catalog]
            if let parent = item.parentID { keys.insert(.children(parent)) }
            for id in descendants { keys.formUnion([.item(id), .summary(id)]) }
            return .dependencies(site, keys)
        case .siteCreated(let site):
            return .site(site.id)
        case .siteUpdated(_, let after):
            return .site(after.id)
        case .siteDeleted(let id):
            return .site(id)
        }
    }

    private static func typeLists(_ item: Item) -> Set<Dependency> {
        switch item.type {
        case .news: return [.news]
        case .event: return [.events]
        default: return []
        }
    }

    static func summaryChanged(_ a: Item, _ b: Item) -> Bool {
        a.title != b.title || a.description != b.description || a.path != b.path || a.parentID != b.parentID
            || a.position != b.position || a.type != b.type || visibilityOrAddressChanged(a, b)
            || a.event != b.event || a.linkTarget != b.linkTarget || a.blob != b.blob || a.tags != b.tags
    }

    static func visibilityOrAddressChanged(_ a: Item, _ b: Item) -> Bool {
        a.state != b.state || a.effective != b.effective || a.expires != b.expires || a.membersOnly != b.membersOnly
            || a.path != b.path
    }
}
