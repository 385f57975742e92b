/// The second pass: every link now has a known target, so pages and stylesheets get relative
/// links, the 404 page root-absolute ones, and the sitemap, feed and robots.txt public URLs.
extension BakeRun {
    mutating func rewrite(progress: (BakeProgress) -> Void) throws(BakeError) {
        let total = documents.count + specials.count + 1
        for (index, document) in documents.enumerated() {
            if Task.isCancelled { throw .cancelled }
            let served = try folder.read(document.file)
            let rewritten: [UInt8]
            if document.isCSS {
                rewritten = BakeRewriter.css(served) { link in relativeLink(link, .link, in: document) }
            } else {
                rewritten = BakeRewriter.html(served) { link, role in relativeLink(link, role, in: document) }
            }
            try folder.write(rewritten, to: document.file)
            progress(BakeProgress(phase: .rewriting, done: index + 1, total: total, current: document.file.path))
        }

        let notFound = BakeRewriter.html(notFoundPage) { link, role in absoluteLink(link, role) }
        try folder.write(notFound, to: .notFound)

        for (path, served) in specials.sorted(by: { $0.key < $1.key }) {
            let rewritten: [UInt8]
            if path == .sitemap {
                rewritten = BakeXML.rewriteSitemap(served) { location in sitemapURL(location) }
            } else {
                rewritten = BakeXML.replacingAbsoluteURLs(in: served, startingWith: address.serverRoot, escaped: path != .robots) { url in
                    publicURL(url)
                }
            }
            try folder.write(rewritten, to: BakeFile(path.segments))
        }
        progress(BakeProgress(phase: .rewriting, done: total, total: total, current: ""))
    }

    /// A link of a page or stylesheet: relative to the document's own file. Canonical links
    /// stay absolute, with the public URL.
    private mutating func relativeLink(_ link: String, _ role: BakeRewriter.Role, in document: Document) -> String? {
        guard case .inside(let path, let fragment) = address.target(of: link, on: document.servedAt) else { return nil }
        switch resolve(path) {
        case .file(let target):
            if role == .canonical { return base.url(of: target) }
            return document.file.link(to: target) + (fragment.map { "#" + $0 } ?? "")
        case .external(let url):
            return url
        case .redirect, .missing:
            return role == .canonical ? nil : document.file.link(to: .notFound)
        }
    }

    /// A link of `404.html`: nginx shows it at any missing URL, at any depth, so its links
    /// start at the public root instead of being relative.
    private mutating func absoluteLink(_ link: String, _ role: BakeRewriter.Role) -> String? {
        guard case .inside(let path, let fragment) = address.target(of: link, on: .notFound) else { return nil }
        switch resolve(path) {
        case .file(let target):
            if role == .canonical { return base.url(of: target) }
            return base.absolutePath(of: target) + (fragment.map { "#" + $0 } ?? "")
        case .external(let url):
            return url
        case .redirect, .missing:
            return role == .canonical ? nil : base.absolutePath(of: .notFound)
        }
    }

    /// A `<loc>` of the sitemap: the public URL of a baked page, or nil to leave it out.
    private func sitemapURL(_ location: String) -> String? {
        guard case .inside(let path?, _) = address.target(of: location, on: .root), case .file(let file) = final(path), file.isPage else {
            return nil
        }
        return base.url(of: file)
    }

    /// An absolute URL in the feed or robots.txt: the public URL of what it names.
    private func publicURL(_ url: String) -> String {
        guard case .inside(let path, let fragment) = address.target(of: url, on: .root) else { return url }
        switch path.map(final) ?? .missing {
        case .file(let file): return base.url(of: file) + (fragment.map { "#" + $0 } ?? "")
        case .external(let external): return external
        case .redirect, .missing: return base.root + (path?.segments.map(BakeFile.encode).joined(separator: "/") ?? "")
        }
    }

    /// Where a linked path leads; a path that was not baked is noted in the report.
    private mutating func resolve(_ path: SitePath?) -> Resolution {
        guard let path else { return .missing }
        let resolution = final(path)
        if case .file = resolution { return resolution }
        if case .external = resolution { return resolution }
        omitted.insert(path)
        return .missing
    }
}
