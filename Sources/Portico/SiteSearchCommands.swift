import ArgumentParser
import Foundation
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoMail
import PorticoStore
import PorticoWeb
import Synchronization

// Search from the command line: rebuilding a site's catalog, running a search (as a visitor
// or as a user), measuring query latency, and importing mail archives.

extension SiteCommand {
    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a site's search catalog from its content (recovery only: every write keeps the catalog in step).",
            discussion: "Runs in one transaction: searches keep using the old catalog until the new one is complete."
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let site = try SiteID(id)
                let started = Date()
                let meter = RateMeter(label: "indexed")
                let count = try await services.store.content(of: site).rebuildCatalog { done, total in meter.report(done: done, total: total) }
                try await services.store.touchSite(site)
                let seconds = Date().timeIntervalSince(started)
                printLine("site \(id): \(count) items indexed in \(String(format: "%.1f", seconds)) s (\(Int(Double(count) / max(seconds, 0.001))) items/s)")
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search a site as a visitor (or as a user with --as), or measure query latency with --benchmark.",
            discussion: """
                Prints one line per result: path, type and title. With --benchmark FILE (the queries.json written by \
                Benchmarks/mail-corpus.py) runs every query set and prints p50/p90/p99 latencies instead.
                """
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String
        @Argument(help: "What to search for (words, \"phrases\", prefix*, -excluded).") var query: String?
        @Option(name: .customLong("as"), help: "Search as this user (default: an anonymous visitor).") var username: String?
        @Option(help: "Only items of this type (page, news, event, folder, image, file, link, message).") var type: String?
        @Option(name: .customLong("in"), help: "Only below this folder path.") var folder: String?
        @Option(help: "Results per page.") var limit: Int = 20
        @Flag(help: "Search every entry for a phrase of very common words, however long it takes (by default only the latest part is).") var all = false
        @Option(help: "Run the query sets of this queries.json and print latencies.") var benchmark: String?
        @Option(help: "With --benchmark: the folder that holds one folder per list (for filtered queries).") var listsFolder: String = "/lists"
        @Option(help: "With --benchmark: how many times to run each query set.") var rounds: Int = 1
        @Option(help: "With --benchmark: also print the N slowest queries of each set, with their times.") var slowest: Int = 0

        func run() async throws {
            try await runReportingErrors {
                let services = try await options.services()
                let site = try SiteID(id)
                guard try await services.store.site(site) != nil else { throw PorticoError.notFound("site \(id)") }
                var principal = Principal.anonymous
                if let username {
                    guard let user = try await services.store.user(username: username) else { throw PorticoError.notFound("user \(username)") }
                    principal = .user(user.id, isPlatformAdmin: user.isPlatformAdmin)
                }
                let search = SearchService(content: services.content)
                if let benchmark {
                    try await SearchBenchmark(search: search, site: site, principal: principal, listsFolder: listsFolder, rounds: max(1, rounds), slowest: max(0, slowest)).run(file: benchmark)
                    return
                }
                guard let query, !query.isEmpty else { throw PorticoError.invalid(field: "query", reason: "is required (or give --benchmark FILE)") }
                var types: Set<ItemType>? = nil
                if let type {
                    guard let known = ItemType(rawValue: type) else { throw PorticoError.invalid(field: "--type", reason: "\(type) is not a type") }
                    types = [known]
                }
                let started = ContinuousClock.now
                let page = try await search.search(in: site, SearchRequest(query: SearchQuery(query), types: types, below: folder, pageSize: max(1, min(limit, 100)), complete: all), by: principal)
                let elapsed = ContinuousClock.now - started
                for result in page.results {
                    printLine("\(result.item.path)\t\(result.item.type.rawValue)\t\(result.title.plainText)")
                }
                let facets = page.facets.map { "\($0.type.rawValue) \($0.count)" }.joined(separator: ", ")
                printLine("\(page.total)\(page.totalIsExact ? "" : "+") results (\(facets)) in \(Self.milliseconds(elapsed)) ms")
                if page.isPartial {
                    printLine("only the latest part was searched: the phrase is made of very common words (--all searches everything)")
                }
            }
        }

        static func milliseconds(_ duration: Duration) -> String {
            String(format: "%.2f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
        }
    }

    struct ImportMbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-mbox",
            abstract: "Import mailing-list archives (mbox files) into a folder of a site as messages.",
            discussion: """
                Threads messages by Message-ID, In-Reply-To and References; decodes MIME (quoted-printable, base64, \
                charsets). Attachments become File or Image items next to their message (--skip-attachments leaves \
                them out). Resumable: messages already in the site are skipped, so running the same import again adds \
                nothing. A message that cannot be read is reported with its position and skipped.

                With --folder-per-file, each file goes into its own folder under FOLDER, named after the file \
                (python-dev.mbox into FOLDER/python-dev): a whole archive of lists in one run.
                """
        )
        @OptionGroup var options: DataOptions
        @Argument(help: "The site id.") var id: String
        @Argument(help: "The folder path to import into, e.g. /lists/python-dev (created if missing).") var folder: String
        @Argument(help: "One or more mbox files.") var files: [String]
        @Flag(help: "Leave attachments out.") var skipAttachments = false
        @Flag(help: "Import messages as private drafts instead of published.") var `private` = false
        @Option(help: "Messages per transaction.") var batch: Int = MailArchiveImport.defaultBatchSize
        @Flag(help: "Import each file into its own folder under FOLDER, named after the file.") var folderPerFile = false

        func run() async throws {
            try await runReportingErrors {
                guard !files.isEmpty else { throw PorticoError.invalid(field: "files", reason: "give at least one mbox file") }
                for file in files where !FileManager.default.fileExists(atPath: file) {
                    throw PorticoError.invalid(field: file, reason: "does not exist")
                }
                let services = try await options.services()
                let site = try SiteID(id)
                let problems = Mutex(0)
                let root = folder.hasSuffix("/") && folder != "/" ? String(folder.dropLast()) : folder
                let runs: [(folder: String, files: [URL])] = try folderPerFile
                    ? Self.folderPerFile(root: root, files: files)
                    : [(folder, files.map { URL(fileURLWithPath: $0) })]
                var sources: [(file: URL, folder: String)] = []
                for run in runs {
                    for file in run.files { sources.append((file: file, folder: run.folder)) }
                }
                let report = try await MailArchiveImport.run(
                    sources: sources, site: site,
                    options: MailArchiveImport.Options(folderPath: root, storeAttachments: !skipAttachments, state: `private` ? .private : .published, batchSize: batch),
                    content: services.content, by: .system,
                    progress: { ImportProgressPrinter.shared.report($0) },
                    problem: { line in
                        let shown = problems.withLock { count -> Bool in count += 1; return count <= 200 }
                        if shown { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
                    }
                )
                try await services.store.touchSite(site)
                printLine("""
                    site \(id): \(report.imported) messages imported from \(report.files) file(s) into \(folderPerFile ? "\(runs.count) folders under \(folder)" : folder) in \
                    \(String(format: "%.1f", report.seconds)) s (\(Int(report.messagesPerSecond)) messages/s); \
                    \(report.duplicates) already there, \(report.malformed) unreadable and skipped, \(report.attachments) attachments stored\
                    \(report.attachmentsSkipped > 0 ? ", \(report.attachmentsSkipped) left out" : "")
                    """)
            }
        }

        /// One folder per file, named after it; every name is checked before anything is imported.
        static func folderPerFile(root: String, files: [String]) throws -> [(folder: String, files: [URL])] {
            var seen: [String: String] = [:]
            return try files.map { file in
                let url = URL(fileURLWithPath: file)
                var base = url.lastPathComponent
                while let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
                let name = Slug.make(from: base)
                if let problem = Slug.problem(with: name, atRoot: root == "/") {
                    throw PorticoError.invalid(field: file, reason: "cannot name a folder \"\(name)\": \(problem)")
                }
                if let other = seen[name] { throw PorticoError.invalid(field: file, reason: "would go into the same folder as \(other) (\(name))") }
                seen[name] = file
                return ((root == "/" ? "" : root) + "/" + name, [url])
            }
        }
    }
}

/// Lets a report through at most once per `interval` (and always the last one).
final class ReportThrottle: Sendable {
    private let interval: TimeInterval
    private let last = Mutex(Date.distantPast)

    init(interval: TimeInterval) { self.interval = interval }

    func isDue(at now: Date, final: Bool = false) -> Bool {
        last.withLock { at in
            guard final || now.timeIntervalSince(at) >= interval else { return false }
            at = now
            return true
        }
    }
}

/// Progress with a rate, on standard error, at most twice a second.
final class RateMeter: Sendable {
    private let label: String
    private let started = Date()
    private let throttle = ReportThrottle(interval: 0.5)

    init(label: String) { self.label = label }

    func report(done: Int, total: Int) {
        let now = Date()
        guard throttle.isDue(at: now, final: done == total) else { return }
        let rate = Double(done) / max(now.timeIntervalSince(started), 0.001)
        let percent = total > 0 ? done * 100 / total : 100
        FileHandle.standardError.write(Data("  \(label): \(done)/\(total) (\(percent)%), \(Int(rate))/s\n".utf8))
    }
}

/// Import progress on standard error, once a second.
final class ImportProgressPrinter: Sendable {
    static let shared = ImportProgressPrinter()
    private let throttle = ReportThrottle(interval: 1)

    func report(_ progress: MailArchiveImport.Progress) {
        guard throttle.isDue(at: Date()) else { return }
        let percent = progress.bytesTotal > 0 ? progress.bytesDone * 100 / progress.bytesTotal : 100
        let rate = Double(progress.imported) / max(progress.elapsed, 0.001)
        FileHandle.standardError.write(Data("  \(progress.file): \(percent)% of the input, \(progress.imported) imported, \(progress.skipped) skipped, \(Int(rate)) messages/s\n".utf8))
    }
}

/// Query latency over the query sets of Benchmarks/mail-corpus.py's queries.json.
struct SearchBenchmark {
    let search: SearchService
    let site: SiteID
    let principal: Principal
    let listsFolder: String
    let rounds: Int
    let slowest: Int

    func run(file: String) async throws {
        guard let data = FileManager.default.contents(atPath: file),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PorticoError.invalid(field: file, reason: "is not a queries.json file")
        }
        var sets: [(String, [SearchRequest])] = []
        func words(_ key: String) -> [SearchRequest] {
            ((json[key] as? [String]) ?? []).map { SearchRequest(query: SearchQuery($0)) }
        }
        sets.append(("one word", words("one_word")))
        sets.append(("two words", words("two_words")))
        sets.append(("phrase", words("phrase")))
        sets.append(("prefix", words("prefix")))
        let filtered = ((json["filtered"] as? [[String: Any]]) ?? []).compactMap { entry -> SearchRequest? in
            guard let q = entry["q"] as? String, let list = entry["list"] as? String else { return nil }
            return SearchRequest(query: SearchQuery(q), below: ContentPath.join(listsFolder, list))
        }
        sets.append(("filtered (one list)", filtered))
        if let top = json["most_frequent_word"] as? String { sets.append(("most frequent word (\(top))", [SearchRequest(query: SearchQuery(top))])) }
        // Warm up: the first query pays for opening the database and filling its page cache.
        for (_, requests) in sets { for request in requests.prefix(3) { _ = try await search.search(in: site, request, by: principal) } }
        printLine("query set\tqueries\tp50 ms\tp90 ms\tp99 ms\tmax ms\tmean results")
        for (name, requests) in sets where !requests.isEmpty {
            var timed: [(milliseconds: Double, request: SearchRequest)] = []
            var results = 0
            for _ in 0..<rounds {
                for request in requests {
                    let started = ContinuousClock.now
                    let page = try await search.search(in: site, request, by: principal)
                    let elapsed = ContinuousClock.now - started
                    timed.append((Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15, request))
                    results += page.total
                }
            }
            timed.sort { $0.milliseconds < $1.milliseconds }
            let samples = timed.map(\.milliseconds)
            func percentile(_ p: Double) -> String { String(format: "%.2f", samples[min(samples.count - 1, Int(Double(samples.count) * p))]) }
            printLine("\(name)\t\(samples.count)\t\(percentile(0.5))\t\(percentile(0.9))\t\(percentile(0.99))\t\(String(format: "%.2f", samples.last ?? 0))\t\(results / max(1, samples.count))")
            for entry in timed.reversed().prefix(slowest) {
                printLine("  \(String(format: "%.2f", entry.milliseconds)) ms\t\(entry.request.query.text)\(entry.request.below.map { " (in \($0))" } ?? "")")
            }
        }
    }
}

extension SiteCommand {
    /// The bare FTS5 insert rate of the same texts an import would index (a benchmark peer).
    struct FtsBaseline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fts-baseline",
            abstract: "Benchmark peer: insert the texts of mbox files into a bare FTS5 table and print the rate.",
            shouldDisplay: false
        )
        @Argument(help: "mbox files.") var files: [String]
        @Option(help: "catalog (the catalog's options), catalog-defaults (the same with FTS5's default hashsize), stored (FTS5 default) or prefix.") var variant: String = "catalog"
        @Option(help: "Messages per transaction.") var batch: Int = MailArchiveImport.defaultBatchSize
        @Option(help: "Scratch database file.") var scratch: String = NSTemporaryDirectory() + "portico-fts-baseline.sqlite"

        func run() async throws {
            try await runReportingErrors {
                guard let variant = CatalogBaseline.Variant(rawValue: variant) else { throw PorticoError.invalid(field: "--variant", reason: "is catalog, catalog-defaults, stored or prefix") }
                let file = URL(fileURLWithPath: scratch)
                let baseline = try CatalogBaseline(file: file, variant: variant)
                var inserted = 0
                var timed = Duration.zero
                var pending: [SearchDocument] = []
                func flush() throws {
                    guard !pending.isEmpty else { return }
                    timed += try baseline.insert(pending, firstRowID: Int64(inserted + 1))
                    inserted += pending.count
                    pending.removeAll(keepingCapacity: true)
                }
                for path in files {
                    for entry in try MboxReader(url: URL(fileURLWithPath: path)) {
                        guard let message = try? MailMessage.parse(entry) else { continue }
                        let parsed = ParsedMessage(message, number: entry.number, offset: entry.offset)
                        let draft = parsed.draft(thread: parsed.messageID, list: "")
                        var item = Item(id: ItemID("x"), parentID: nil, path: "/x", slug: "x", type: .message, title: draft.title, body: draft.body,
                                        created: Date(), modified: Date(), effective: Date(), message: draft.message)
                        item.tags = []
                        pending.append(SearchDocument(item))
                        if pending.count == batch { try flush() }
                    }
                }
                try flush()
                let seconds = Double(timed.components.seconds) + Double(timed.components.attoseconds) / 1e18
                printLine("fts-baseline \(variant.rawValue): \(inserted) documents in \(String(format: "%.1f", seconds)) s of inserts = \(Int(Double(inserted) / max(seconds, 0.001))) docs/s; \(baseline.size(of: file) / 1_048_576) MB")
                try? FileManager.default.removeItem(at: file)
                try? FileManager.default.removeItem(atPath: file.path + "-wal")
                try? FileManager.default.removeItem(atPath: file.path + "-shm")
            }
        }
    }
}
