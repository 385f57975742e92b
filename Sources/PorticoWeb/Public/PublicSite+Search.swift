import Foundation
import Hummingbird
import PorticoContent
import PorticoCore
import PorticoCache
import PorticoStore

/// The search page, `/_search`: the same search for visitors and editors, each seeing only
/// what they may open.
extension PublicSite {
    public func search(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        let parameters = request.uri.queryParameters
        let searchRequest = SearchQueryParameters.request(from: parameters)
        let content = try await store.content(of: site.id)
        let now = clock.now()
        context.dependsOn(.settings)
        context.dependsOn(.catalog)

        let page = try await SearchService(content: self.content).search(in: site.id, searchRequest, by: context.principal)
        let view = PageView(site: site, context: context, theme: theme)
        let navigation = try await navigationItems(content: content, context: context, now: now)
        var values = view.common(title: searchRequest.query.isEmpty ? "Search" : "Search: \(searchRequest.query.text)", navigation: navigation, current: nil, ancestors: [])
        values["searchQuery"] = searchRequest.query.text
        values["hasQuery"] = !searchRequest.query.isEmpty
        values["results"] = ThemeValue.list(page.results) { result -> ThemeFields in
            var entry: ThemeFields = [
                "url": view.url(result.item.path),
                "path": result.item.path,
                "titleHTML": Self.html(result.title),
                "excerptHTML": Self.html(result.excerpt),
                "typeName": result.item.type.displayName,
                "date": Formatting.day(SearchDocument(result.item).date),
            ]
            if result.item.state != .published { entry["state"] = result.item.state.displayName }
            if let message = result.item.message { entry["from"] = message.from }
            return entry
        }
        values["hasResults"] = !page.results.isEmpty
        values["noResults"] = !searchRequest.query.isEmpty && page.results.isEmpty
        let count = page.totalIsExact ? Formatting.count(page.total) : Formatting.count(page.total) + "+"
        values["summary"] = page.total == 1 && page.totalIsExact ? "1 result" : "\(count) results"
        values["capped"] = !page.totalIsExact && !page.isPartial
        if page.isPartial {
            var everything = searchRequest
            everything.complete = true
            values["partialAllURL"] = SearchQueryParameters.link(for: everything, page: nil, types: searchRequest.types, path: context.basePath + "/_search")
        }
        let base = SearchQueryParameters.link(for: searchRequest, page: nil, types: nil, path: context.basePath + "/_search")
        values["facets"] = ThemeValue.list(page.facets) { facet -> ThemeFields in
            [
                "name": facet.type.displayName, "count": Formatting.count(facet.count),
                "url": SearchQueryParameters.link(for: searchRequest, page: nil, types: [facet.type], path: context.basePath + "/_search"),
                "current": searchRequest.types == [facet.type],
            ]
        }
        values["hasFacets"] = page.facets.count > 1 || searchRequest.types != nil
        values["allTypesURL"] = base
        values["typeFiltered"] = searchRequest.types != nil
        if searchRequest.page > 1 {
            values["previousURL"] = SearchQueryParameters.link(for: searchRequest, page: searchRequest.page - 1, types: searchRequest.types, path: context.basePath + "/_search")
        }
        if searchRequest.page < page.pageCount {
            values["nextURL"] = SearchQueryParameters.link(for: searchRequest, page: searchRequest.page + 1, types: searchRequest.types, path: context.basePath + "/_search")
        }
        if page.pageCount > 1 { values["pageText"] = "Page \(searchRequest.page) of \(page.pageCount)" }
        var filters: [ThemeFields] = []
        if let below = searchRequest.below { filters.append(["name": "in", "value": below]) }
        if let tag = searchRequest.tag { filters.append(["name": "tag", "value": tag]) }
        if let from = parameters["from"], searchRequest.from != nil { filters.append(["name": "from", "value": String(from)]) }
        if let until = parameters["until"], searchRequest.until != nil { filters.append(["name": "until", "value": String(until)]) }
        values["filters"] = filters
        let html = theme.render("search", values)
        return PageView.htmlResponse(html, cacheControl: cacheControl.page)
    }

    /// Escaped text with the matched words in `<mark>`.
    static func html(_ snippet: SearchSnippet) -> String {
        snippet.parts.map { part in
            part.highlighted ? "<mark>" + HTMLText.escape(part.text) + "</mark>" : HTMLText.escape(part.text)
        }.joined()
    }
}

/// Reading a search from the query string, and writing links back to it. Every parameter is
/// optional and anything unusable is ignored: a search page never answers with an error.
enum SearchQueryParameters {
    static func request(from parameters: Parameters) -> SearchRequest {
        let query = SearchQuery(parameters["q"].map(String.init) ?? "")
        let types = parameters.getAll("type").compactMap { ItemType(rawValue: String($0)) }
        var below: String? = nil
        if let path = parameters["in"].map(String.init), path.hasPrefix("/"), path.count <= 1000, !path.contains("\u{0}") {
            below = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        }
        let tag = parameters["tag"].map(String.init).flatMap { $0.isEmpty || $0.count > 100 ? nil : $0 }
        let from = parameters["from"].flatMap { day(String($0)) }
        let until = parameters["until"].flatMap { day(String($0)) }.map { $0.addingTimeInterval(86_400 - 0.001) }
        let page = parameters["page"].flatMap { Int($0) } ?? 1
        let complete = parameters["all"] == "1"
        return SearchRequest(query: query, types: types.isEmpty ? nil : Set(types), below: below, from: from, until: until, tag: tag, page: page, complete: complete)
    }

    /// A `YYYY-MM-DD` day at midnight UTC, or nil.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1000...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    static func link(for request: SearchRequest, page: Int?, types: Set<ItemType>?, path: String) -> String {
        var items = [URLQueryItem(name: "q", value: request.query.text)]
        for type in (types ?? []).map(\.rawValue).sorted() { items.append(URLQueryItem(name: "type", value: type)) }
        if let below = request.below { items.append(URLQueryItem(name: "in", value: below)) }
        if let tag = request.tag { items.append(URLQueryItem(name: "tag", value: tag)) }
        if let from = request.from { items.append(URLQueryItem(name: "from", value: Formatting.iso(from).prefix(10).description)) }
        if let until = request.until { items.append(URLQueryItem(name: "until", value: Formatting.iso(until).prefix(10).description)) }
        if request.complete { items.append(URLQueryItem(name: "all", value: "1")) }
        if let page, page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
        var components = URLComponents()
        components.path = path
        components.queryItems = items
        return components.string ?? path
    }
}
