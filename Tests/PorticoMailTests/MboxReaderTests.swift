import Foundation
import Testing
@testable import PorticoMail

@Suite struct MboxReaderTests {
    let mbox = """
    From alice@example.org Mon Jan  2 15:04:05 2006
    From: alice@example.org
    Subject: one

    First body.
    >From the escaped line.
    >>From a doubly escaped line.
    > quoted, not escaped

    From bob@example.org Mon Jan  2 16:00:00 2006
    From: bob@example.org
    Subject: two

    Second body.
    From here on an unescaped sentence without a blank line before it.

    From carol@example.org Tue Jan  3 09:00:00 2006
    From: carol@example.org
    Subject: three

    Third body.

    """

    @Test func splitsMessagesAndUnescapesFrom() throws {
        let url = try temporaryFile(Array(mbox.utf8))
        defer { removeTemporaryFile(url) }
        let reader = try MboxReader(url: url)
        let entries = Array(reader)
        #expect(entries.count == 3)
        #expect(entries.map(\.number) == [1, 2, 3])
        #expect(entries[0].offset == 0)
        let first = String(decoding: entries[0].bytes, as: UTF8.self)
        #expect(first == "From: alice@example.org\nSubject: one\n\nFirst body.\nFrom the escaped line.\n>From a doubly escaped line.\n> quoted, not escaped\n")
        let second = String(decoding: entries[1].bytes, as: UTF8.self)
        #expect(second.hasSuffix("Second body.\nFrom here on an unescaped sentence without a blank line before it.\n"))
        #expect(entries[1].separatorLine == "From bob@example.org Mon Jan  2 16:00:00 2006")
        // Offsets point at the "From " lines.
        let all = Array(mbox.utf8)
        for e in entries {
            let o = Int(e.offset)
            #expect(Array(all[o..<(o + 5)]) == Array("From ".utf8))
        }
        #expect(reader.fileSize == Int64(all.count))
        let messages = try entries.map { try MailMessage.parse($0) }
        #expect(messages.map(\.subject) == ["one", "two", "three"])
    }

    @Test func crlfFilesAndProgress() throws {
        let url = try temporaryFile(bytes(mbox, crlf: true))
        defer { removeTemporaryFile(url) }
        let reader = try MboxReader(url: url)
        var iterator = reader.makeIterator()
        var count = 0
        while let entry = iterator.next() {
            count += 1
            let text = String(decoding: entry.bytes, as: UTF8.self)
            #expect(!text.hasSuffix("\r\n\r\n"))
            #expect(iterator.bytesRead <= reader.fileSize)
        }
        #expect(count == 3)
        #expect(iterator.bytesRead == reader.fileSize)
        #expect(iterator.error == nil)
    }

    @Test func smallChunksGiveTheSameEntries() throws {
        var big = ""
        for i in 0..<200 {
            big += "From sender\(i)@example.org Mon Jan  2 15:04:05 2006\nFrom: s\(i)@example.org\nSubject: message \(i)\n\n"
            big += String(repeating: "line of text \(i)\n", count: i % 40) + "\n"
        }
        let url = try temporaryFile(Array(big.utf8))
        defer { removeTemporaryFile(url) }
        let normal = Array(try MboxReader(url: url))
        let tiny = Array(try MboxReader(url: url, resumeAt: 0, number: 1, chunkSize: 4096))
        #expect(normal.count == 200)
        #expect(tiny.count == 200)
        for (a, b) in zip(normal, tiny) {
            #expect(a.bytes == b.bytes)
            #expect(a.offset == b.offset)
        }
        // Resume at the 101st message.
        let resumed = Array(try MboxReader(url: url, resumeAt: normal[100].offset, number: 101))
        #expect(resumed.count == 100)
        #expect(resumed.first?.number == 101)
        #expect(resumed.first?.bytes == normal[100].bytes)
    }

    @Test func fileNotStartingWithFromIsRejected() throws {
        let url = try temporaryFile(Array("Subject: hello\n\nbody\n".utf8))
        defer { removeTemporaryFile(url) }
        #expect(throws: MailError.notAnMbox(url.path)) {
            _ = try MboxReader(url: url)
        }
    }

    @Test func missingFileIsUnreadable() {
        let url = URL(fileURLWithPath: "/nonexistent/portico/mail.mbox")
        do {
            _ = try MboxReader(url: url)
            Issue.record("expected an error")
        } catch {
            if case .unreadable = error {} else { Issue.record("unexpected \(error)") }
        }
    }

    @Test func emptyFileHasNoMessages() throws {
        let url = try temporaryFile([])
        defer { removeTemporaryFile(url) }
        #expect(Array(try MboxReader(url: url)).isEmpty)
    }

    @Test func errorsDescribeThemselves() {
        #expect(MailError.notAnMbox("/tmp/x").description.contains("/tmp/x"))
        #expect(MailError.malformed("no headers").description.contains("no headers"))
    }
}
