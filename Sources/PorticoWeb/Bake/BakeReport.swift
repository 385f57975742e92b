public import Foundation
public import PorticoCore

/// How far a bake is, for a progress bar. `total` grows while pages are discovered.
public struct BakeProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// Rendering pages and fetching files through the request path.
        case rendering
        /// Rewriting links in pages, stylesheets, the sitemap and the feed.
        case rewriting
        /// Checking every link of the finished bake.
        case checking
    }

    public let phase: Phase
    public let done: Int
    public let total: Int
    /// The site path or file being worked on.
    public let current: String

    public init(phase: Phase, done: Int, total: Int, current: String) {
        self.phase = phase
        self.done = done
        self.total = total
        self.current = current
    }
}

/// What a finished bake wrote, and what it found wrong.
public struct BakeReport: Sendable {
    public let site: SiteID
    /// The folder that now holds the bake.
    public let folder: URL
    /// Item pages written (`<path>/index.html`).
    public let pages: Int
    /// Every other file: stylesheet, images and files, sitemap, feed, robots.txt, 404 page.
    public let files: Int
    /// Bytes of all pages and files.
    public let bytes: Int64
    /// Site paths that baked pages link to but that were not baked (not public, editor and
    /// login, search): their links point to `404.html`.
    public let omitted: [String]
    /// Links in the bake that do not resolve to a file (empty when the bake is sound).
    public let brokenLinks: [BrokenLink]
    public let duration: Duration

    public init(site: SiteID, folder: URL, pages: Int, files: Int, bytes: Int64, omitted: [String], brokenLinks: [BrokenLink], duration: Duration) {
        self.site = site
        self.folder = folder
        self.pages = pages
        self.files = files
        self.bytes = bytes
        self.omitted = omitted
        self.brokenLinks = brokenLinks
        self.duration = duration
    }
}

/// A relative link in a baked HTML or CSS file that does not lead to a file of the bake.
public struct BrokenLink: Sendable, Hashable, CustomStringConvertible {
    public enum Problem: String, Sendable {
        /// No file at the place the link resolves to.
        case missingFile = "no such file"
        /// The link climbs out of the bake folder.
        case outsideBake = "leads outside the bake"
        /// The link is not a valid URL path (bad percent-encoding).
        case malformed = "malformed link"
        /// The file holding the link could not be read.
        case unreadable = "file cannot be read"
    }

    /// The file holding the link, relative to the bake folder.
    public let file: String
    /// The link as written in the file.
    public let link: String
    public let problem: Problem

    public init(file: String, link: String, problem: Problem) {
        self.file = file
        self.link = link
        self.problem = problem
    }

    public var description: String { "\(file): \(link) (\(problem.rawValue))" }
}
