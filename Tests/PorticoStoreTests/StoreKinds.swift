import Foundation
import PorticoTestSupport
import PorticoCore
import PorticoStore

/// Every ContentStore implementation the contract suite runs against. A PostgreSQL store
/// joins this list when it exists; the tests below do not change.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    /// The embedded store with one connection per site (`storage.readers_per_site = 0`).
    case sqliteSingleConnection

    var description: String { rawValue }

    func make(maximumOpenSites: Int = 16) throws -> any ContentStore {
        switch self {
        case .sqlite:
            let folder = TestFolders.url("portico-store")
            return try SQLiteContentStore(dataFolder: folder, maximumOpenSites: maximumOpenSites)
        case .sqliteSingleConnection:
            let folder = TestFolders.url("portico-store")
            return try SQLiteContentStore(dataFolder: folder, maximumOpenSites: maximumOpenSites, readersPerSite: 0)
        }
    }
}

let epoch = Date(millisecondsSince1970: 1_700_000_000_000)

func item(_ id: String, parent: String?, path: String, type: ItemType = .page, state: ItemState = .published, position: Int = 0, effective: Date = epoch, blob: BlobReference? = nil) -> Item {
    Item(
        id: ItemID(id), parentID: parent.map(ItemID.init), path: path,
        slug: path == "/" ? "" : String(path.split(separator: "/").last!), type: type, title: "Title \(id)",
        description: "About \(id)", body: "Body of *\(id)*", bodyHTML: "<p>Body of <em>\(id)</em></p>", state: state,
        created: epoch, modified: epoch, effective: effective, position: position, tags: ["a", "b"], blob: blob
    )
}

func revision(_ item: Item) -> Revision {
    Revision(itemID: item.id, version: item.version, author: nil, date: item.modified, comment: "saved", snapshot: item)
}

/// Creates a site with a root folder and returns its content store.
func makeSite(_ store: any ContentStore, id: String = "alpha", hostnames: [String]? = nil) async throws -> any SiteContentStore {
    let siteID = try SiteID(id)
    let root = item("\(id)-root", parent: nil, path: "/", type: .folder)
    let site = Site(id: siteID, hostnames: hostnames ?? ["\(id).test"], settings: SiteSettings(name: id.capitalized), created: epoch)
    try await store.createSite(site, root: root, rootRevision: revision(root))
    return try await store.content(of: siteID)
}
