import Foundation
import PorticoTestSupport
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore
import Synchronization
import Testing

/// Importing mbox archives: threading, decoding, resuming, and skipping what cannot be read.
@Suite struct MailImportTests {
    static let archive = """
        From alice@example.org Mon Jan  3 10:00:00 2005
        From: Alice Example <alice@example.org>
        To: lists@example.org
        Subject: Meeting in =?iso-8859-1?q?Barcelon=E0?=
        Date: Mon, 3 Jan 2005 10:00:00 +0100
        Message-ID: <root@example.org>
        List-Id: <town-talk.lists.example.org>
        Content-Type: text/plain; charset=utf-8

        Shall we meet by the harbour?
        >From the station it is a short walk.

        From bob@example.org Mon Jan  3 11:00:00 2005
        From: bob@example.org
        Subject: Re: Meeting in Barcelona
        Date: Mon, 3 Jan 2005 11:00:00 +0000
        Message-ID: <reply@example.org>
        In-Reply-To: <root@example.org>
        References: <root@example.org>
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Yes, at the caf=E9.

        From nobody Mon Jan  3 11:30:00 2005
        this is not a header block at all
        and no blank line follows any header

        From carol@example.org Mon Jan  3 12:00:00 2005
        From: Carol <carol@example.org>
        Subject: Re: Meeting in Barcelona
        Date: Mon, 3 Jan 2005 12:00:00 +0000
        Message-ID: <late@example.org>
        In-Reply-To: <reply@example.org>
        References: <root@example.org> <reply@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8

        Minutes attached.
        --b1
        Content-Type: application/pdf; name="minutes.pdf"
        Content-Disposition: attachment; filename="minutes.pdf"
        Content-Transfer-Encoding: base64

        JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK
        --b1--

        """

    func write(_ text: String) throws -> URL {
        let url = TestFolders.url("portico-mbox", suffix: ".mbox")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func importsThreadsDecodesAndResumes() async throws {
        let data = try DataFolder.make()
        let site = try await data.administration.createSite(id: "lists", name: "Lists", hostnames: ["lists.test"])
        let file = try write(Self.archive)
        let problems = Mutex<[String]>([])
        let report = try await MailArchiveImport.run(
            files: [file], site: site.id, options: .init(folderPath: "/archives/town-talk"), content: data.content, by: .system,
            problem: { line in problems.withLock { $0.append(line) } }
        )
        #expect(report.imported == 3)
        #expect(report.malformed == 1)
        #expect(report.attachments == 1)
        #expect(problems.withLock { $0 }.contains { $0.contains("message 3 (byte ") })

        let store = try await data.store.content(of: site.id)
        let folder = try #require(try await store.item(path: "/archives/town-talk"))
        #expect(folder.type == .folder && folder.state == .published)
        let messages = try await store.items(matching: ItemQuery(parentID: folder.id, types: [.message], order: .messageDate))
        #expect(messages.map(\.title) == ["Meeting in Barcelonà", "Re: Meeting in Barcelona", "Re: Meeting in Barcelona"])
        #expect(Set(messages.compactMap(\.message?.threadID)) == ["root@example.org"])
        #expect(messages[0].message?.from == "Alice Example <alice@example.org>")
        #expect(messages[0].message?.date == Date(timeIntervalSince1970: 1_104_742_800))
        #expect(messages[0].message?.list == "town-talk.lists.example.org")
        #expect(messages[0].body.contains("From the station"))
        #expect(messages[1].body.contains("café"))
        #expect(messages[2].body.contains("Attachment: minutes.pdf"))
        let attachment = try #require(try await store.items(matching: ItemQuery(parentID: folder.id, types: [.file])).first)
        #expect(attachment.blob?.mimeType == "application/pdf")

        // Searchable at once, accents folded.
        let search = SearchService(content: data.content)
        let found = try await search.search(in: site.id, SearchRequest(query: SearchQuery("barcelona")), by: .anonymous)
        #expect(found.facets.first { $0.type == .message }?.count == 3)
        #expect(try await search.search(in: site.id, SearchRequest(query: SearchQuery("cafe")), by: .anonymous).results.map(\.item.id) == [messages[1].id])

        // Importing the same file again adds nothing; a new reply joins the stored thread.
        let again = try await MailArchiveImport.run(files: [file], site: site.id, options: .init(folderPath: "/archives/town-talk"), content: data.content, by: .system)
        #expect(again.imported == 0 && again.duplicates == 3)
        let later = try write("""
            From dave@example.org Tue Jan  4 09:00:00 2005
            From: dave@example.org
            Subject: Re: Meeting in Barcelona
            Date: Tue, 4 Jan 2005 09:00:00 +0000
            Message-ID: <next-day@example.org>
            In-Reply-To: <late@example.org>

            Sorry I missed it.

            """)
        let third = try await MailArchiveImport.run(files: [later], site: site.id, options: .init(folderPath: "/archives/town-talk", storeAttachments: false), content: data.content, by: .system)
        #expect(third.imported == 1)
        let joined = try await store.items(matching: ItemQuery(threadID: "root@example.org", order: .messageDate))
        #expect(joined.count == 4)
    }

    @Test func whatCannotBeImportedIsRefusedClearly() async throws {
        let data = try DataFolder.make()
        let site = try await data.administration.createSite(id: "lists", name: "Lists", hostnames: ["lists.test"])
        let notMbox = try write("Hello, this is a letter.\n")
        await #expect(throws: PorticoError.self) {
            try await MailArchiveImport.run(files: [notMbox], site: site.id, options: .init(folderPath: "/archive"), content: data.content, by: .system)
        }
        let good = try write(Self.archive)
        let root = try await data.store.content(of: site.id).root()
        try await data.content.create(in: site.id, under: root.id, ItemDraft(type: .page, title: "Page"), by: .system)
        await #expect(throws: PorticoError.self) {
            try await MailArchiveImport.run(files: [good], site: site.id, options: .init(folderPath: "/page/inside"), content: data.content, by: .system)
        }
        #expect(try await data.store.content(of: site.id).count(matching: ItemQuery(types: [.message])) == 0)
    }

    /// A message of a list, for the tests below.
    static func message(_ id: String, day: Int, year: Int = 2005, subject: String, replyTo: String? = nil, list: String) -> String {
        let date = String(format: "%02d", day)
        return """
            From someone@example.org Mon Jan \(date) 10:00:00 \(year)
            From: someone@example.org
            Subject: \(subject)
            Date: \(date) Jan \(year) 10:00:00 +0000
            Message-ID: <\(id)@example.org>\(replyTo.map { "\nIn-Reply-To: <\($0)@example.org>" } ?? "")
            List-Id: <\(list).example.org>

            Minutes of the \(list) meeting about the harbour.

            """
    }

    @Test func severalListsGoInOneRunOldestMessageFirst() async throws {
        let data = try DataFolder.make()
        let site = try await data.administration.createSite(id: "lists", name: "Lists", hostnames: ["lists.test"])
        // Two lists whose messages interleave in time; a reply in one answers the other.
        let boats = try write(Self.message("b1", day: 1, subject: "Boats", list: "boats") + "\n" + Self.message("b3", day: 3, subject: "Re: Quays", replyTo: "q2", list: "boats")
                              + "\n" + Self.message("b5", day: 5, subject: "Sails", list: "boats"))
        let quays = try write(Self.message("q2", day: 2, subject: "Quays", list: "quays") + "\n" + Self.message("q4", day: 4, subject: "Cranes", list: "quays"))
        let report = try await MailArchiveImport.run(
            sources: [(boats, "/lists/boats"), (quays, "/lists/quays")], site: site.id, options: .init(folderPath: "/lists", batchSize: 2),
            content: data.content, by: .system
        )
        #expect(report.imported == 5 && report.files == 2 && report.malformed == 0)

        let store = try await data.store.content(of: site.id)
        func titles(in path: String) async throws -> [String] {
            let folder = try #require(try await store.item(path: path))
            return try await store.items(matching: ItemQuery(parentID: folder.id, types: [.message], order: .messageDate)).map(\.title)
        }
        #expect(try await titles(in: "/lists/boats") == ["Boats", "Re: Quays", "Sails"])
        #expect(try await titles(in: "/lists/quays") == ["Quays", "Cranes"])
        // Threaded across the lists in the same run.
        let thread = try await store.items(matching: ItemQuery(threadID: "q2@example.org", order: .messageDate))
        #expect(thread.map(\.title) == ["Quays", "Re: Quays"])
        // Added oldest first, so past the ranking window the newest messages come first.
        let search = SearchService(content: data.content, rankWindow: 2)
        let found = try await search.search(in: site.id, SearchRequest(query: SearchQuery("harbour")), by: .anonymous)
        #expect(found.results.map(\.item.title).prefix(2) == ["Sails", "Cranes"])

        // The same run again adds nothing.
        let again = try await MailArchiveImport.run(
            sources: [(boats, "/lists/boats"), (quays, "/lists/quays")], site: site.id, options: .init(folderPath: "/lists"), content: data.content, by: .system
        )
        #expect(again.imported == 0 && again.duplicates == 5)
    }

    @Test func aMessageFromTheFutureDoesNotHoldItsListBack() async throws {
        let data = try DataFolder.make()
        let site = try await data.administration.createSite(id: "lists", name: "Lists", hostnames: ["lists.test"])
        // The second message of "boats" claims 2099; the rest of the list must not wait for it.
        let boats = try write(Self.message("a1", day: 1, subject: "First", list: "boats") + "\n" + Self.message("a2", day: 2, year: 2099, subject: "Clock", list: "boats")
                              + "\n" + Self.message("a3", day: 5, subject: "Last", list: "boats"))
        let quays = try write(Self.message("b1", day: 2, subject: "Second", list: "quays") + "\n" + Self.message("b2", day: 3, subject: "Third", list: "quays"))
        let report = try await MailArchiveImport.run(
            sources: [(boats, "/lists/boats"), (quays, "/lists/quays")], site: site.id, options: .init(folderPath: "/lists", batchSize: 2), content: data.content, by: .system
        )
        #expect(report.imported == 5)
        // Batches [a1, a2] (a2 merged as of a1's date), [b1, b2], [a3]: the two latest are a3
        // and b2. Had a2 held its list back: [a1, b1], [b2, a2], [a3], and a2 would come second.
        let search = SearchService(content: data.content, rankWindow: 2)
        let found = try await search.search(in: site.id, SearchRequest(query: SearchQuery("harbour")), by: .anonymous)
        #expect(found.results.map(\.item.title).prefix(2) == ["Last", "Third"])
    }
}
