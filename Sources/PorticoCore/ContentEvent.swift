/// A change to content or sites, published by the content service after the change committed.
///
/// Subscribers (the response cache, the search catalog, other nodes) react to these typed
/// events; nothing else purges or reindexes by hand.
public enum ContentEvent: Sendable, Equatable {
    case itemCreated(site: SiteID, item: Item)
    /// Any saved change, including renames (then `before.path != after.path` and every
    /// descendant path changed too) and workflow transitions.
    case itemUpdated(site: SiteID, before: Item, after: Item)
    /// The item and every descendant (by id) were removed.
    case itemDeleted(site: SiteID, item: Item, descendants: [ItemID])
    case siteCreated(Site)
    case siteUpdated(before: Site, after: Site)
    case siteDeleted(SiteID)

    /// The site the event belongs to.
    public var siteID: SiteID {
        switch self {
        case .itemCreated(let site, _), .itemUpdated(let site, _, _), .itemDeleted(let site, _, _): return site
        case .siteCreated(let site): return site.id
        case .siteUpdated(_, let after): return after.id
        case .siteDeleted(let id): return id
        }
    }
}
