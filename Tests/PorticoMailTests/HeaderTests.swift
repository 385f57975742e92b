import Foundation
import Testing
@testable import PorticoMail

@Suite struct HeaderTests {
    @Test func unfoldsHeadersCaseInsensitively() throws {
        let m = try parse("""
        From: a@example.org
        X-Long: first part
        \tsecond part
           third part
        subject: A folded
         subject line

        body
        """)
        #expect(m.header("x-long") == "first part\tsecond part   third part")
        #expect(m.header("X-LONG") == m.header("x-long"))
        #expect(m.header("Subject") == "A folded subject line")
        #expect(m.subject == "A folded subject line")
        #expect(m.header("Missing") == nil)
        #expect(m.text == "body")
    }

    @Test func repeatedHeaders() throws {
        let m = try parse("Received: from a\nReceived: from b\n (folded)\nFrom: x@example.org\n\nbody\n")
        #expect(m.header("received") == "from a")
        #expect(m.headers(named: "RECEIVED") == ["from a", "from b (folded)"])
        #expect(m.allHeaders.map(\.name) == ["Received", "Received", "From"])
    }

    @Test func mixedLineEndings() throws {
        let raw = Array("From: a@example.org\r\nSubject: mixed\n\r\nbody line\r\n".utf8)
        let m = try MailMessage.parse(raw)
        #expect(m.subject == "mixed")
        #expect(m.text == "body line\n")
    }

    @Test func encodedWordSubjects() throws {
        let cases: [(String, String)] = [
            ("=?iso-8859-1?Q?caf=E9_cr=E8me?=", "café crème"),
            ("=?UTF-8?B?QmFyY2Vsb27DoA==?=", "Barcelonà"),
            ("=?utf-8?q?Caf=C3=A9?= =?utf-8?q?_au_lait?=", "Café au lait"),
            ("Re: =?ISO-8859-1?B?SGVq?= there", "Re: Hej there"),
            // adjacent words: whitespace between them is dropped, even across a fold
            ("=?utf-8?Q?a?=\n =?utf-8?Q?b?=", "ab"),
            // a multi-byte character split across two words
            ("=?utf-8?B?w6k=?= =?utf-8?B?w6k=?=", "éé"),
            ("=?utf-8?B?4oKs?=", "€"),
            ("=?windows-1252?Q?=93quoted=94?=", "\u{201C}quoted\u{201D}"),
            ("plain   text\twith  spaces", "plain text with spaces"),
            ("=?bogus-charset?Q?hello?=", "hello"),
            ("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"),
        ]
        for (raw, expected) in cases {
            let m = try parse("From: a@example.org\nSubject: \(raw)\n\nbody\n")
            #expect(m.subject == expected, "\(raw)")
        }
    }

    @Test func rawEightBitHeaders() throws {
        var raw = Array("From: a@example.org\nSubject: caf".utf8)
        raw.append(0xE9) // Latin-1 é
        raw += Array("\n\nbody\n".utf8)
        #expect(try MailMessage.parse(raw).subject == "café")
        let utf8 = Array("From: a@example.org\nSubject: café\n\nbody\n".utf8)
        #expect(try MailMessage.parse(utf8).subject == "café")
    }

    @Test func addresses() throws {
        let m = try parse("""
        From: =?utf-8?Q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.org>
        To: "Doe, Jane" <jane@example.org>, bob@example.org (Bob Smith),
         undisclosed-recipients:;, <carol@example.org>
        Cc: Team: dan@example.org, erin@example.org;

        hi
        """)
        #expect(m.from == MailAddress(name: "José García", address: "jose@example.org"))
        #expect(m.from.display == "José García")
        #expect(m.to.map(\.address) == ["jane@example.org", "bob@example.org", "carol@example.org"])
        #expect(m.to[0].name == "Doe, Jane")
        #expect(m.to[1].name == "Bob Smith")
        #expect(m.to[2].display == "carol@example.org")
        #expect(m.cc.map(\.address) == ["dan@example.org", "erin@example.org"])
    }

    @Test func messageIDs() throws {
        let m = try parse("""
        From: a@example.org
        Message-ID:   <abc.123@example.org>
        In-Reply-To: <parent@example.org> (Joe's message of "Mon, 2 Jan")
        References: <root@example.org>
         <middle@example.org>   <parent@example.org>
        List-Id: Portico users <users.portico.example.org>

        body
        """)
        #expect(m.messageID == "abc.123@example.org")
        #expect(m.inReplyTo == "parent@example.org")
        #expect(m.references == ["root@example.org", "middle@example.org", "parent@example.org"])
        #expect(m.listID == "users.portico.example.org")
        #expect(m.fingerprint == "abc.123@example.org")
    }

    @Test func bareAndMissingIDs() throws {
        let m = try parse("From: a@example.org\nMessage-ID: bare-id@example.org\nIn-Reply-To: Your message of today\n\nbody\n")
        #expect(m.messageID == "bare-id@example.org")
        #expect(m.inReplyTo == nil)
        #expect(m.references.isEmpty)
        #expect(m.listID == nil)
    }

    @Test func malformedMessagesThrow() {
        let bad: [(String, String)] = [
            ("", "empty"),
            ("\nbody only\n", "no headers"),
            ("just some text\nwithout headers\n\nbody\n", "garbage"),
            ("From: a@example.org\nSubject: no separator", "no separator"),
            ("From: a@example.org\nthis is not a header\n\nbody\n", "garbage line"),
            (" continuation first\nFrom: a@example.org\n\nbody\n", "continuation"),
        ]
        for (text, label) in bad {
            do {
                _ = try MailMessage.parse(Array(text.utf8))
                Issue.record("\(label): expected .malformed")
            } catch {
                if case .malformed(let reason) = error {
                    #expect(!reason.isEmpty)
                } else {
                    Issue.record("\(label): unexpected \(error)")
                }
            }
        }
    }

    @Test func envelopeLineAtTopIsSkipped() throws {
        let m = try parse("From joe@example.org Mon Jan  2 15:04:05 2006\nFrom: joe@example.org\nSubject: s\n\nbody\n")
        #expect(m.from.address == "joe@example.org")
        #expect(m.subject == "s")
    }
}
