import Foundation
import PorticoCore

/// One page of the sites table. A node may hold ten thousand sites, so the table shows a
/// hundred at a time, optionally only those whose id, name or a hostname contains a text.
struct SiteListing {
    static let pageSize = 100
    /// Above this many sites, "copy from" is a text field instead of a list of every site.
    static let maximumChoices = 500

    var filter: String
    var page: Int

    init(filter: String? = nil, page: String? = nil) {
        self.filter = String((filter ?? "").trimmingCharacters(in: .whitespaces).lowercased().prefix(200))
        self.page = page.flatMap { Int($0) }.map { max($0, 1) } ?? 1
    }

    struct Result {
        var shown: [Site]
        var matching: Int
        var page: Int
        var pages: Int
        var first: Int { matching == 0 ? 0 : (page - 1) * SiteListing.pageSize + 1 }
        var last: Int { (page - 1) * SiteListing.pageSize + shown.count }
    }

    /// `sites` sorted by id, filtered, and cut to the page (the last page if `page` is past it).
    func apply(_ sites: [Site]) -> Result {
        let matching = sites.filter(matches).sorted { $0.id < $1.id }
        let pages = max(1, (matching.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(self.page, pages)
        let start = (page - 1) * Self.pageSize
        let shown = Array(matching[start..<min(start + Self.pageSize, matching.count)])
        return Result(shown: shown, matching: matching.count, page: page, pages: pages)
    }

    func matches(_ site: Site) -> Bool {
        filter.isEmpty || site.id.rawValue.contains(filter) || site.settings.name.lowercased().contains(filter)
            || site.hostnames.contains { $0.contains(filter) }
    }

    /// The address of another page of the same listing.
    func url(_ base: String, page: Int) -> String {
        var query = ["page=\(page)"]
        if !filter.isEmpty {
            query.insert("q=" + (filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""), at: 0)
        }
        return base + "?" + query.joined(separator: "&")
    }
}
