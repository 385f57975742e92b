public import Hummingbird
import PorticoCore
import PorticoContent
import PorticoCache
import PorticoStore

/// `sitemap.xml`, `robots.txt` and the Atom feed of news. All three list only what the
/// visitor may see, through the same visibility functions as pages.
extension PublicSite {
    public static let feedLength = 20

    public func sitemap(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        let content = try await store.content(of: site.id)
        let now = clock.now()
        context.dependsOn(.sitemap)
        let items = try await visibleItems(ItemQuery(order: .path), content: content, context: context, now: now, limit: 50_000)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for item in items where item.type != .link {
            xml += "<url><loc>\(Formatting.xml(context.origin + context.basePath + item.path))</loc><lastmod>\(Formatting.iso(item.modified))</lastmod></url>\n"
        }
        xml += "</urlset>\n"
        return Self.textResponse(xml, contentType: "application/xml; charset=utf-8", cacheControl: cacheControl.feed)
    }

    public func robots(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        _ = try context.requireSite()
        context.dependsOn(.settings)
        let text = """
            User-agent: *
            Disallow: /_edit/
            Allow: /

            Sitemap: \(context.origin + context.basePath)/sitemap.xml

            """
        return Self.textResponse(text, contentType: "text/plain; charset=utf-8", cacheControl: cacheControl.feed)
    }

    /// The site's news, newest first, as Atom (RFC 4287).
    public func feed(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let site = try context.requireSite()
        let content = try await store.content(of: site.id)
        let now = clock.now()
        context.dependsOn(.news)
        context.dependsOn(.settings)
        let news = try await visibleItems(ItemQuery(types: [.news], order: .newestFirst), content: content, context: context, now: now, limit: Self.feedLength)
        let base = context.origin + context.basePath
        let updated = news.map(\.modified).max() ?? site.created
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <title>\(Formatting.xml(site.settings.name)) news</title>
            <id>\(Formatting.xml(base))/feed.xml</id>
            <link rel="self" href="\(Formatting.xml(base))/feed.xml"/>
            <link rel="alternate" type="text/html" href="\(Formatting.xml(base))/"/>
            <updated>\(Formatting.iso(updated))</updated>

            """
        for item in news {
            let url = Formatting.xml(base + item.path)
            xml += """
                <entry>
                <title>\(Formatting.xml(item.title))</title>
                <link rel="alternate" type="text/html" href="\(url)"/>
                <id>urn:uuid:\(Formatting.xml(item.id.rawValue))</id>
                <published>\(Formatting.iso(item.effective))</published>
                <updated>\(Formatting.iso(item.modified))</updated>
                <author><name>\(Formatting.xml(site.settings.name))</name></author>
                <summary>\(Formatting.xml(item.description))</summary>
                <content type="html">\(Formatting.xml(item.bodyHTML))</content>
                </entry>

                """
        }
        xml += "</feed>\n"
        return Self.textResponse(xml, contentType: "application/atom+xml; charset=utf-8", cacheControl: cacheControl.feed)
    }

    static func textResponse(_ text: String, contentType: String, cacheControl: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return Response(status: .ok, headers: [.contentType: contentType, .cacheControl: cacheControl], body: .init(byteBuffer: buffer))
    }
}
