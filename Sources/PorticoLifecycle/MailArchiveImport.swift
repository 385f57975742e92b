public import Foundation
public import PorticoContent
public import PorticoCore
public import PorticoMail
import PorticoStore
import Synchronization

/// Imports mailing-list archives (mbox files) into a folder of a site as Message items.
///
/// - Every message goes through the content service's write path (`createMany`), a batch at
///   a time, so the catalog, revisions and events are the same as for edited content.
/// - Parsing and MIME decoding of the next batch run on another core while a batch is stored.
/// - Messages are threaded by Message-ID, In-Reply-To and References, also across files and
///   across runs (the thread of a parent already stored is looked up).
/// - Resumable: a message whose id (or, without one, whose content hash) is already in the
///   site is skipped, so importing the same file again adds nothing.
/// - A message that cannot be read is reported with its file, number and byte offset, and
///   skipped; the import goes on.
public enum MailArchiveImport {
    public struct Options: Sendable {
        /// The folder to import into (created when missing, under an existing parent).
        public var folderPath: String
        /// Store attachments as File items next to their message (else they are left out).
        public var storeAttachments: Bool
        /// The workflow state of imported messages.
        public var state: ItemState
        public var batchSize: Int

        public init(folderPath: String, storeAttachments: Bool = true, state: ItemState = .published, batchSize: Int = 2_000) {
            self.folderPath = folderPath
            self.storeAttachments = storeAttachments
            self.state = state
            self.batchSize = max(1, batchSize)
        }
    }

    public struct Progress: Sendable {
        public var file: String
        public var bytesDone: Int64
        public var bytesTotal: Int64
        public var imported: Int
        public var skipped: Int
        public var elapsed: TimeInterval
    }

    public struct Report: Sendable {
        public var files = 0
        public var read = 0
        public var imported = 0
        /// Already in the site (an earlier run, or twice in the input).
        public var duplicates = 0
        public var malformed = 0
        public var attachments = 0
        public var attachmentsSkipped = 0
        public var seconds: TimeInterval = 0
        public var messagesPerSecond: Double { seconds > 0 ? Double(imported) / seconds : 0 }

        public init() {}

        /// Adds the figures of another run (one after the other: times add up).
        public mutating func add(_ other: Report) {
            files += other.files
            read += other.read
            imported += other.imported
            duplicates += other.duplicates
            malformed += other.malformed
            attachments += other.attachments
            attachmentsSkipped += other.attachmentsSkipped
            seconds += other.seconds
        }
    }

    public static func run(
        files: [URL], site: SiteID, options: Options, content: ContentService, by principal: Principal,
        progress: @escaping @Sendable (Progress) -> Void = { _ in },
        problem: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        let started = Date()
        var readers: [MboxReader] = []
        for file in files {
            do { readers.append(try MboxReader(url: file)) } catch {
                throw PorticoError.invalid(field: file.path, reason: "cannot be imported: \(error)")
            }
        }
        let folder = try await importFolder(options.folderPath, site: site, content: content, by: principal)
        let store = try await content.store.content(of: site)
        let total = readers.reduce(Int64(0)) { $0 + $1.fileSize }
        var report = Report()
        var threads = ThreadIndex()
        var bytesBefore: Int64 = 0

        // Reading and parsing the next batch runs on another core while a batch is prepared
        // and written. (Preparing batch n+1 during the write of batch n was measured slower:
        // its reads compete with the writer for the WAL.)
        for reader in readers {
            report.files += 1
            let name = reader.url.lastPathComponent
            let source = BatchSource(reader: reader, batchSize: options.batchSize, fileName: name)
            var batch = await source.next()
            while !batch.messages.isEmpty || !batch.problems.isEmpty {
                async let following = source.next()
                report.read += batch.messages.count + batch.problems.count
                report.malformed += batch.problems.count
                for line in batch.problems { problem(line) }
                let prepared = try await prepareBatch(batch.messages, folder: folder, site: site, siteStore: store, options: options, content: content,
                                                      by: principal, threads: &threads, report: &report, fileName: name, problem: problem)
                try await content.commit(prepared)
                report.imported += prepared.items.count { $0.type == .message }
                progress(Progress(file: name, bytesDone: bytesBefore + batch.bytesDone, bytesTotal: total, imported: report.imported,
                                  skipped: report.duplicates + report.malformed, elapsed: Date().timeIntervalSince(started)))
                batch = await following
            }
            if let error = source.readError { throw PorticoError.invalid(field: reader.url.path, reason: "could not be read to the end: \(error)") }
            bytesBefore += reader.fileSize
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// The folder at `path`, created (published, like `mkdir -p`) when missing.
    static func importFolder(_ path: String, site: SiteID, content: ContentService, by principal: Principal) async throws -> Item {
        let segments = try ContentPath.segments(of: path)
        let store = try await content.store.content(of: site)
        var folder = try await store.root()
        for (index, name) in segments.enumerated() {
            let current = ContentPath.path(of: Array(segments[...index]))
            if let existing = try await store.item(path: current) {
                guard existing.type.isContainer else { throw PorticoError.invalid(field: "folder", reason: "\(current) is a \(existing.type.displayName), not a folder") }
                folder = existing
            } else {
                let title = name.replacingOccurrences(of: "-", with: " ").capitalized
                folder = try await content.create(in: site, under: folder.id, ItemDraft(type: .folder, title: title, slug: name), state: .published, by: principal, comment: "Created for a mail import")
            }
        }
        return folder
    }

    private static func prepareBatch(
        _ messages: [ParsedMessage], folder: Item, site: SiteID, siteStore: any SiteContentStore, options: Options, content: ContentService,
        by principal: Principal, threads: inout ThreadIndex, report: inout Report, fileName: String, problem: @Sendable (String) -> Void
    ) async throws -> ContentService.PreparedBatch {
        // Already imported (an earlier run): skipped. Twice in this input: the first one wins.
        let known = try await siteStore.messageThreads(messages.map(\.messageID))
        var fresh: [ParsedMessage] = []
        var seen: Set<String> = []
        for message in messages {
            if let thread = known[message.messageID] {
                threads.record(message.messageID, thread: thread)
                report.duplicates += 1
            } else if threads.contains(message.messageID) || !seen.insert(message.messageID).inserted {
                report.duplicates += 1
            } else {
                fresh.append(message)
            }
        }
        // Threads of parents stored earlier (other runs) are looked up once per batch.
        let unknownParents = Set(fresh.flatMap(\.parents)).filter { !threads.contains($0) && !seen.contains($0) }
        for (id, thread) in try await siteStore.messageThreads(Array(unknownParents)) { threads.record(id, thread: thread) }

        var drafts: [ItemDraft] = []
        drafts.reserveCapacity(fresh.count)
        for message in fresh {
            let thread = threads.thread(for: message)
            threads.record(message.messageID, thread: thread)
            var draft = message.draft(thread: thread, list: folder.title)
            if !message.attachments.isEmpty {
                if options.storeAttachments {
                    var lines: [String] = []
                    for attachment in message.attachments {
                        do {
                            let (blob, size) = try await content.storeBlob(in: site, data: Data(attachment.data), filename: attachment.filename)
                            let base = String((draft.slug ?? "message").prefix(60))
                            let name = String(Slug.make(from: attachment.filename).prefix(Slug.maximumLength - base.count - 1)).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
                            let slug = base + "-" + (name.isEmpty ? "attachment" : name)
                            let title = String(attachment.filename.prefix(ItemDraft.maximumTitleLength))
                            let file = ItemDraft(
                                type: blob.mimeType.hasPrefix("image/") && size != nil ? .image : .file, title: title.isEmpty ? "attachment" : title, slug: slug,
                                description: String("Attached to “\(draft.title)”".prefix(ItemDraft.maximumDescriptionLength)), effective: draft.effective, blob: blob, imageSize: size
                            )
                            if let invalid = file.problems().first { throw PorticoError.invalid(field: "attachment", reason: invalid.message) }
                            drafts.append(file)
                            lines.append("Attachment: \(attachment.filename) — \(ContentPath.join(folder.path, slug))")
                            report.attachments += 1
                        } catch {
                            report.attachmentsSkipped += 1
                            problem("\(fileName): message \(message.number) (byte \(message.offset)): attachment \(attachment.filename) left out: \(error)")
                        }
                    }
                    if !lines.isEmpty { draft.body += "\n\n" + lines.joined(separator: "\n") }
                } else {
                    report.attachmentsSkipped += message.attachments.count
                }
            }
            if let invalid = draft.problems().first {
                report.malformed += 1
                problem("\(fileName): message \(message.number) (byte \(message.offset)): \(invalid.message)")
                continue
            }
            drafts.append(draft)
        }
        return try await content.prepareMany(in: site, under: folder.id, drafts, state: options.state, by: principal, comment: "Imported from \(fileName)")
    }
}

/// Thread ids by message id, for this run (ids of earlier runs are looked up in the store).
struct ThreadIndex {
    private var threads: [String: String] = [:]

    func contains(_ id: String) -> Bool { threads[id] != nil }
    mutating func record(_ id: String, thread: String) { threads[id] = thread }

    /// The thread of the nearest known ancestor; else the first reference (the thread's
    /// root even when it is not in the archive); else the message starts a thread.
    func thread(for message: ParsedMessage) -> String {
        for parent in message.parents.reversed() {
            if let thread = threads[parent] { return thread }
        }
        return message.references.first ?? message.inReplyTo ?? message.messageID
    }
}

/// A message read from an mbox file, ready to become an item.
public struct ParsedMessage: Sendable {
    var number: Int
    var offset: Int64
    public var messageID: String
    var inReplyTo: String?
    var references: [String]
    var from: String
    var date: Date?
    var subject: String
    var listID: String?
    var text: String
    var attachments: [MailAttachment]

    /// References then In-Reply-To: ancestors, oldest first.
    var parents: [String] {
        var ids = references
        if let inReplyTo, ids.last != inReplyTo { ids.append(inReplyTo) }
        return ids
    }

    public init(_ message: MailMessage, number: Int, offset: Int64) {
        self.number = number
        self.offset = offset
        messageID = Self.limited(message.fingerprint)
        inReplyTo = message.inReplyTo.map(Self.limited)
        references = message.references.suffix(20).map(Self.limited)
        let address = message.from.address
        from = message.from.name.isEmpty ? address : (address.isEmpty ? message.from.name : "\(message.from.name) <\(address)>")
        date = message.date
        subject = message.subject.removingNULs
        listID = message.listID?.removingNULs
        text = message.text.removingNULs
        from = from.removingNULs
        attachments = message.attachments
    }

    /// Ids longer than the store accepts are replaced by a hash of themselves.
    static func limited(_ raw: String) -> String {
        let id = raw.removingNULs
        return id.utf8.count <= 400 ? id : "hash-" + Fingerprint.fnv1a64Hex(id.utf8)
    }

    public func draft(thread: String, list: String) -> ItemDraft {
        var scalars = String.UnicodeScalarView()
        for scalar in subject.unicodeScalars { scalars.append(scalar.value < 0x20 || scalar.value == 0x7f ? " " : scalar) }
        var title = String(scalars).trimming(where: String.isHorizontalSpace)
        if title.isEmpty { title = "(no subject)" }
        if title.count > ItemDraft.maximumTitleLength { title = String(title.prefix(ItemDraft.maximumTitleLength - 1)) + "…" }
        var body = text
        if body.utf8.count > ItemDraft.maximumBodyLength - 100 {
            body = String(decoding: Array(body.utf8.prefix(ItemDraft.maximumBodyLength - 100)), as: UTF8.self) + "\n[…the rest of this message was too long to keep]"
        }
        let base = Slug.make(from: title)
        let slug = String(base.prefix(50)).trimming { $0 == "-" } + "-" + Self.shortHash(messageID)
        let when = date ?? Date(timeIntervalSince1970: 0)
        return ItemDraft(
            type: .message, title: title, slug: slug, body: body, effective: when,
            message: MessageDetails(messageID: messageID, from: String(from.prefix(400)), date: when, list: String((listID ?? list).prefix(200)), threadID: thread, inReplyTo: inReplyTo ?? references.last)
        )
    }

    /// 12 hex digits of FNV-1a: a collision in one folder of a million messages is unlikely,
    /// and would only give the second message a "-2" suffix.
    static func shortHash(_ text: String) -> String {
        String(Fingerprint.fnv1a64Hex(text.utf8).suffix(12))
    }
}

/// Reads and parses the next batch of an mbox file; used by one task at a time (the import
/// asks for batch n+1 while it stores batch n).
final class BatchSource: @unchecked Sendable {
    struct Batch: Sendable {
        var messages: [ParsedMessage] = []
        var problems: [String] = []
        var bytesDone: Int64 = 0
    }

    private var iterator: MboxReader.Iterator
    private let batchSize: Int
    private let fileName: String
    private var bytesDone: Int64 = 0
    /// Why reading stopped early (an I/O error), once `next()` has returned an empty batch.
    private(set) var readError: MailError?

    init(reader: MboxReader, batchSize: Int, fileName: String) {
        self.iterator = reader.makeIterator()
        self.batchSize = batchSize
        self.fileName = fileName
    }

    func next() async -> Batch {
        var batch = Batch()
        while batch.messages.count < batchSize, let entry = iterator.next() {
            bytesDone = entry.offset + Int64(entry.bytes.count)
            do {
                let message = try MailMessage.parse(entry)
                batch.messages.append(ParsedMessage(message, number: entry.number, offset: entry.offset))
            } catch {
                batch.problems.append("\(fileName): message \(entry.number) (byte \(entry.offset)): skipped: \(error)")
            }
        }
        batch.bytesDone = bytesDone
        if batch.messages.isEmpty && batch.problems.isEmpty { readError = iterator.error }
        return batch
    }
}
