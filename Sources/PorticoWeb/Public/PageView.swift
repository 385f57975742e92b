import PorticoCache
import Foundation
import Hummingbird
import PorticoCore
import PorticoContent

/// Builds the values templates see: typed `ThemeFields` of texts, flags, lists and objects;
/// every text is escaped by Mustache except `bodyHTML`, which the content service rendered
/// safe when the item was saved.
struct PageView {
    let site: Site
    let context: PorticoRequestContext
    let theme: Theme

    func url(_ path: String) -> String {
        context.basePath + (path == "/" ? "/" : path)
    }

    func blobURL(_ blob: BlobReference) -> String {
        context.basePath + "/_blob/\(blob.sha256)/\(Formatting.pathSegment(blob.filename))"
    }

    /// Values every page shares: site, navigation, breadcrumbs, stylesheet.
    func common(title: String, description: String = "", navigation: [Item], current: Item?, ancestors: [Item]) -> ThemeFields {
        let topPath = current.flatMap { item -> String? in
            let all = item.ancestorPaths + [item.path]
            return all.count > 1 ? all[1] : nil
        }
        var values: ThemeFields = [
            "pageTitle": title,
            "metaDescription": description,
            "site": siteValues(),
            "accent": site.settings.accentColor,
            "home": url("/"),
            "css": theme.stylesheetPath,
            "feedURL": url("/feed.xml"),
            "sitemapURL": url("/sitemap.xml"),
            "searchURL": url("/_search"),
            "hasNav": true,
            "nav": ThemeValue.list(navigation) { item -> ThemeFields in
                ["title": item.title, "url": url(item.path), "current": item.path == topPath]
            },
        ]
        if !context.origin.isEmpty, let current { values["canonical"] = context.origin + url(current.path) }
        let crumbs = ThemeValue.list(ancestors) { item -> ThemeFields in
            ["title": item.isRoot ? "Home" : item.title, "url": url(item.path)]
        }
        values["hasBreadcrumbs"] = current.map { !$0.isRoot } ?? false
        values["breadcrumbs"] = crumbs
        if let user = context.user, let session = context.session {
            var bar: ThemeFields = [
                "name": user.displayName, "csrf": session.csrfToken,
                "dashboardURL": context.basePath + "/_edit/", "logoutURL": context.basePath + "/_logout",
            ]
            if let current {
                let path = current.path == "/" ? "/" : current.path
                bar["editURL"] = context.basePath + "/_edit/edit" + path
                if current.type.isContainer { bar["contentsURL"] = context.basePath + "/_edit/contents" + path }
            }
            values["editbar"] = bar
        }
        return values
    }

    func siteValues() -> ThemeFields {
        var values: ThemeFields = [
            "name": site.settings.name,
            "tagline": site.settings.tagline,
            "footer": site.settings.footerText,
        ]
        if let logo = site.settings.logo { values["logoURL"] = blobURL(logo) }
        return values
    }

    /// Site-absolute links in bodies ("/news") gain the `/_site/<id>` prefix when the site
    /// was reached through it.
    func rebased(_ html: String) -> String {
        guard !context.basePath.isEmpty else { return html }
        return html.replacingOccurrences(of: "href=\"/", with: "href=\"\(context.basePath)/")
            .replacingOccurrences(of: "src=\"/", with: "src=\"\(context.basePath)/")
    }

    func itemValues(_ item: Item) -> ThemeFields {
        [
            "title": item.title,
            "description": item.description,
            "bodyHTML": item.type == .message ? ContentService.plainTextHTML(item.body) : rebased(item.bodyHTML),
            "type": item.type.rawValue,
            "typeName": item.type.displayName,
            "date": Formatting.day(item.effective),
            "isoDate": Formatting.iso(item.effective),
            "modifiedText": Formatting.day(item.modified),
            "modifiedISO": Formatting.iso(item.modified),
            "tags": item.tags,
        ]
    }

    /// One entry of a listing.
    func listingValues(_ item: Item) -> ThemeFields {
        var values: ThemeFields = [
            "title": item.title,
            "description": item.description,
            "url": url(item.path),
            "type": item.type.rawValue,
            "typeName": item.type.displayName,
            "isoDate": Formatting.iso(item.effective),
        ]
        switch item.type {
        case .news: values["date"] = Formatting.day(item.effective)
        case .message:
            values["date"] = item.message.map { Formatting.dayAndTime($0.date) } ?? ""
            values["description"] = item.message?.from ?? ""
        case .event: values["date"] = item.event.map { Formatting.dayAndTime($0.start) } ?? ""
        default: break
        }
        return values
    }

    /// Type-specific values for an item's own page.
    func detailValues(_ item: Item) -> ThemeFields {
        var values: ThemeFields = ["isNews": item.type == .news, "hasTags": !item.tags.isEmpty]
        if let message = item.message {
            values["message"] = [
                "from": message.from, "dateText": Formatting.dayAndTime(message.date) + " UTC", "dateISO": Formatting.iso(message.date),
                "list": message.list,
            ] as ThemeFields
        }
        if let event = item.event {
            values["event"] = [
                "startText": Formatting.dayAndTime(event.start) + " UTC", "startISO": Formatting.iso(event.start),
                "endText": Formatting.dayAndTime(event.end) + " UTC", "endISO": Formatting.iso(event.end),
                "location": event.location,
            ] as ThemeFields
        }
        if let blob = item.blob {
            if item.type == .image {
                var image: ThemeFields = ["url": blobURL(blob), "alt": item.description.isEmpty ? item.title : item.description, "caption": ""]
                if let size = item.imageSize {
                    image["width"] = String(size.width)
                    image["height"] = String(size.height)
                }
                values["image"] = image
            } else {
                values["file"] = [
                    "url": blobURL(blob), "filename": blob.filename, "sizeText": Formatting.size(blob.size),
                    "typeName": Self.typeName(blob.mimeType),
                ] as ThemeFields
            }
        }
        return values
    }

    static func typeName(_ mime: String) -> String {
        switch mime {
        case "application/pdf": return "PDF document"
        case "application/zip": return "ZIP archive"
        case let text where text.hasPrefix("text/plain"): return "Text file"
        case let image where image.hasPrefix("image/"): return "Image"
        default: return "File"
        }
    }

    static func htmlResponse(_ html: String, status: HTTPResponse.Status = .ok, cacheControl: String) -> Response {
        htmlResponse(body: ByteBuffer(string: html), status: status, cacheControl: cacheControl)
    }

    static func htmlResponse(_ html: [UInt8], status: HTTPResponse.Status = .ok, cacheControl: String) -> Response {
        htmlResponse(body: ByteBuffer(bytes: html), status: status, cacheControl: cacheControl)
    }

    private static func htmlResponse(body buffer: ByteBuffer, status: HTTPResponse.Status, cacheControl: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: cacheControl],
            body: .init(byteBuffer: buffer)
        )
    }
}
