import HTTPTypes

/// One bake in progress: the pages and files fetched so far, what every site path became, and
/// the staging folder. First everything is rendered and written as served (`render`), then,
/// once every link's target is known, pages and stylesheets are rewritten (`rewrite`).
struct BakeRun {
    /// What a site path turned into.
    enum Resolution: Equatable {
        case file(BakeFile)
        /// A redirect (a moved item, a link item) to another path of the site.
        case redirect(SitePath)
        /// A redirect out of the site (a link item to another website).
        case external(String)
        /// Not baked: not public, not a page, or refused.
        case missing
    }

    /// A page or stylesheet written as served, rewritten once all links are resolved.
    struct Document {
        let file: BakeFile
        /// The path it was served at, against which its relative links resolve.
        let servedAt: SitePath
        let isCSS: Bool
    }

    let client: BakeClient
    let address: SiteAddress
    let base: PublicBase
    var folder: BakeFolder

    var resolutions: [SitePath: Resolution] = [:]
    var documents: [Document] = []
    /// robots.txt, sitemap.xml and feed.xml as served.
    var specials: [SitePath: [UInt8]] = [:]
    /// The themed 404 page as served.
    var notFoundPage: [UInt8] = []
    /// Paths linked from the bake that were not baked.
    var omitted: Set<SitePath> = []
    private(set) var pageCount = 0
    private var queue: [SitePath] = []
    private var next = 0
    private var seen: Set<SitePath> = []

    init(client: BakeClient, address: SiteAddress, base: PublicBase, folder: BakeFolder) {
        self.client = client
        self.address = address
        self.base = base
        self.folder = folder
    }

    // MARK: Rendering

    /// Renders the home page, the sitemap, robots.txt, the feed and the 404 page, then every
    /// page and file they lead to, breadth first. The sitemap seeds every public item, links
    /// add what it does not list (images, files, the stylesheet, link items).
    mutating func render(progress: (BakeProgress) -> Void) async throws(BakeError) {
        // Without a home page there is no site to bake (it may redirect, or answer an error).
        let home = try await fetch(.root)
        guard resolutions[.root] == .file(.home) else { throw .renderFailed(path: "/", status: home) }
        for special in [SitePath.sitemap, .robots, .feed] {
            try await fetchSpecial(special)
        }
        let notFound = try await client.get(.notFound)
        guard notFound.status == .notFound, notFound.isHTML else {
            throw .renderFailed(path: SitePath.notFound.description, status: Int(notFound.status.code))
        }
        notFoundPage = BakeRewriter.removingLiveOnlyParts(notFound.body)
        enqueueLinks(inHTML: notFoundPage, on: .notFound)

        while next < queue.count {
            if Task.isCancelled { throw .cancelled }
            let path = queue[next]
            next += 1
            try await fetch(path)
            progress(BakeProgress(phase: .rendering, done: next, total: queue.count, current: path.description))
        }
    }

    private mutating func enqueue(_ path: SitePath) {
        guard resolutions[path] == nil, seen.insert(path).inserted else { return }
        queue.append(path)
    }

    private mutating func enqueue(link: String, on page: SitePath) {
        if case .inside(let path?, _) = address.target(of: link, on: page) { enqueue(path) }
    }

    private mutating func enqueueLinks(inHTML html: [UInt8], on page: SitePath) {
        for link in BakeRewriter.links(inHTML: html) { enqueue(link: link, on: page) }
    }

    /// Renders one path and records what it became; returns the status it was answered with.
    @discardableResult
    private mutating func fetch(_ path: SitePath) async throws(BakeError) -> Int {
        let file: BakeFile
        switch path.kind {
        case .page(let page): file = page
        case .asset(let asset): file = asset
        case .special, .notBaked:
            // Specials are fetched up front; one that is still unknown did not render.
            resolutions[path] = resolutions[path] ?? .missing
            return 0
        }
        var answer = try await client.get(path)
        if answer.isHTML { answer.body = BakeRewriter.removingLiveOnlyParts(answer.body) }
        switch answer.status.code {
        case 200:
            let isDocument = answer.isHTML || answer.isCSS
            // Documents are written again after rewriting; only that version is synced.
            try folder.write(answer.body, to: file, sync: !isDocument)
            resolutions[path] = .file(file)
            if file.isPage { pageCount += 1 }
            if answer.isHTML {
                documents.append(Document(file: file, servedAt: path, isCSS: false))
                enqueueLinks(inHTML: answer.body, on: path)
            } else if answer.isCSS {
                documents.append(Document(file: file, servedAt: path, isCSS: true))
                for link in BakeRewriter.links(inCSS: answer.body) { enqueue(link: link, on: path) }
            }
        case 301, 302, 303, 307, 308:
            guard let location = answer.headers[.location] else {
                resolutions[path] = .missing
                break
            }
            switch address.target(of: location, on: path) {
            case .outside:
                resolutions[path] = .external(location)
            case .inside(let target?, _):
                resolutions[path] = .redirect(target)
                enqueue(target)
            case .inside(nil, _):
                resolutions[path] = .missing
            }
        case 400..<500:
            resolutions[path] = .missing
        default:
            throw .renderFailed(path: path.description, status: Int(answer.status.code))
        }
        return Int(answer.status.code)
    }

    /// robots.txt and the sitemap must render; the feed may be switched off (then it is not
    /// baked and its links lead to the 404 page).
    private mutating func fetchSpecial(_ path: SitePath) async throws(BakeError) {
        let answer = try await client.get(path)
        guard answer.status == .ok else {
            guard path == .feed else { throw .renderFailed(path: path.description, status: Int(answer.status.code)) }
            resolutions[path] = .missing
            return
        }
        specials[path] = answer.body
        resolutions[path] = .file(BakeFile(path.segments))
        for (_, url) in BakeXML.absoluteURLs(in: String(decoding: answer.body, as: UTF8.self), startingWith: address.serverRoot, escaped: path != .robots) {
            enqueue(link: url, on: .root)
        }
    }

    /// Where `path` finally leads, following redirects inside the site.
    func final(_ path: SitePath) -> Resolution {
        var current = path
        for _ in 0..<10 {
            switch resolutions[current] ?? .missing {
            case .redirect(let target): current = target
            case let other: return other
            }
        }
        return .missing
    }
}
