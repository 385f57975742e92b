public import Foundation
public import PorticoCore

/// Writes a site's public face into a static folder that any web server (nginx) or a browser
/// from `file://` can show as is: every page an anonymous visitor can reach, the stylesheet,
/// images and files, sitemap.xml, robots.txt, feed.xml and a themed 404.html. See docs/bake.md.
///
/// Pages are rendered by the node's own request path, in process, as for an anonymous
/// visitor, so a bake shows exactly what the site shows, and nothing a visitor could not see.
/// Their links are then rewritten to relative links between the baked files.
///
/// A bake is all or nothing: it is written beside the target and swapped in when complete;
/// a failed or cancelled bake leaves the target as it was.
public struct SiteBaker: Sendable {
    public let services: PorticoServices
    /// The public root URL of the baked site, named in the sitemap, the feed, robots.txt and
    /// canonical links (`https://www.example.org/`, or with a path prefix). Nil: the server's
    /// own view, `http://<first hostname>/`.
    public let baseURL: URL?

    public init(services: PorticoServices, baseURL: URL? = nil) {
        self.services = services
        self.baseURL = baseURL
    }

    /// Bakes `site` into `folder`, replacing a previous bake there. The folder must be missing,
    /// empty or a previous bake (it holds `.portico-bake`); anything else is refused.
    public func bake(site id: SiteID, into folder: URL, progress: @Sendable (BakeProgress) -> Void = { _ in }) async throws(BakeError) -> BakeReport {
        let started = ContinuousClock.now
        guard let site = services.directory.site(id) else { throw .siteNotFound(id) }
        guard site.status == .active else { throw .siteDisabled(id) }
        let base = try PublicBase(baseURL, site: site)
        let address = SiteAddress(site: site)
        let client = BakeClient(responder: PorticoApplication.responder(services), address: address, logger: services.logger)
        var run = BakeRun(client: client, address: address, base: base, folder: try BakeFolder.prepare(target: folder))
        do throws(BakeError) {
            try await run.render(progress: progress)
            try run.rewrite(progress: progress)
            let marker = BakeMarker(site: id.rawValue, baked: Formatting.iso(services.clock.now()), baseURL: base.root)
            try run.folder.write([UInt8](marker.encoded()), to: .marker)
            progress(BakeProgress(phase: .checking, done: 0, total: 1, current: ""))
            let broken = BakeLinkChecker.check(folder: run.folder.staging)
            progress(BakeProgress(phase: .checking, done: 1, total: 1, current: ""))
            try run.folder.install()
            let sizes = run.folder.sizes.filter { $0.key != BakeFile.marker.path }
            return BakeReport(
                site: id, folder: run.folder.target, pages: run.pageCount, files: sizes.count - run.pageCount,
                bytes: sizes.values.reduce(Int64(0)) { $0 + Int64($1) }, omitted: run.omitted.sorted().map(\.description),
                brokenLinks: broken, duration: ContinuousClock.now - started
            )
        } catch {
            run.folder.discard()
            throw error
        }
    }
}
