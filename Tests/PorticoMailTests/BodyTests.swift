import Foundation
import Testing
@testable import PorticoMail

@Suite struct BodyTests {
    @Test func quotedPrintableBody() throws {
        let m = try parse("""
        From: a@example.org
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        Caf=C3=A9 at Barcelon=C3=A0, a long line that is soft=
         wrapped. Bad escape =ZZ stays.  \nEquals =3D sign.
        """, crlf: true)
        #expect(m.text == "Café at Barcelonà, a long line that is soft wrapped. Bad escape =ZZ stays.\nEquals = sign.")
    }

    @Test func base64Body() throws {
        let body = Data("Hello, Barcelonà!\nSecond line.\n".utf8).base64EncodedString(options: .lineLength64Characters)
        let m = try parse("From: a@example.org\nContent-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: BASE64\n\n\(body)\n")
        #expect(m.text == "Hello, Barcelonà!\nSecond line.\n")
        // Missing padding, junk and whitespace are tolerated.
        let sloppy = try parse("From: a@example.org\nContent-Transfer-Encoding: base64\n\nSGVsbG8g\n d29y*bGQ\n")
        #expect(sloppy.text == "Hello world")
    }

    @Test func latin1AndWindows1252Bodies() throws {
        var raw = Array("From: a@example.org\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nBarcelon".utf8)
        raw += [0xE0, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A] // "à café\n"
        #expect(try MailMessage.parse(raw).text == "Barcelonà café\n")

        var cp = Array("From: a@example.org\nContent-Type: text/plain; charset=windows-1252\n\n".utf8)
        cp += [0x93, 0x48, 0x69, 0x94, 0x20, 0x92, 0x20, 0x80] // “Hi” ’ €
        #expect(try MailMessage.parse(cp).text == "\u{201C}Hi\u{201D} \u{2019} €")

        let qp = try parse("From: a@example.org\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9\n")
        #expect(qp.text == "café\n")
    }

    @Test func undeclaredOrWrongCharsetFallsBack() throws {
        var latin = Array("From: a@example.org\nContent-Type: text/plain; charset=utf-8\n\ncaf".utf8)
        latin += [0xE9, 0x0A]
        #expect(try MailMessage.parse(latin).text == "café\n")
        let unknown = try parse("From: a@example.org\nContent-Type: text/plain; charset=x-nonsense\n\ncafé\n")
        #expect(unknown.text == "café\n")
    }

    @Test func otherCharsets() throws {
        // KOI8-R "Привет" and ISO-8859-2 "Łódź" (Foundation supports both on Linux and macOS).
        var koi = Array("From: a@example.org\nContent-Type: text/plain; charset=koi8-r\n\n".utf8)
        koi += [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
        let k = try MailMessage.parse(koi).text
        #expect(k == "Привет")
        var l2 = Array("From: a@example.org\nContent-Type: text/plain; charset=iso-8859-2\n\n".utf8)
        l2 += [0xA3, 0xF3, 0x64, 0xBC]
        #expect(try MailMessage.parse(l2).text == "Łódź")
    }

    @Test func cjkCharsets() throws {
        let cases: [(String, [UInt8], String)] = [
            ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
            ("GBK", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
            ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
            ("shift_jis", [0x93, 0xFA, 0x96, 0x7B], "日本"),
            ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC, 0x8E, 0xB1], "日本ｱ"),
            ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "日本"),
            ("euc-kr", [0xC7, 0xD1], "한"),
            ("ks_c_5601-1987", [0xC7, 0xD1], "한"),
        ]
        for (charset, body, expected) in cases {
            let raw = Array("From: a@example.org\nContent-Type: text/plain; charset=\(charset)\n\n".utf8) + body
            #expect(try MailMessage.parse(raw).text == expected, "\(charset)")
        }
        let subject = try parse("From: a@example.org\nSubject: =?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=\n\nx\n")
        #expect(subject.subject == "日本")
    }

    @Test func alternativeChoosesPlainText() throws {
        let m = try parse(sampleMultipart)
        #expect(m.text == "Hola, adjunto el informe de Barcelonà.")
        #expect(m.attachments.count == 1)
        let a = try #require(m.attachments.first)
        #expect(a.filename == "informe Barcelonà.pdf")
        #expect(a.mimeType == "application/pdf")
        #expect(a.data == Array("%PDF-1.4\n".utf8))
        #expect(m.date == utc(2020, 3, 3, 9))
        #expect(m.from.name == "Anna Puig")
    }

    @Test func sameWithCRLF() throws {
        let m = try parse(sampleMultipart, crlf: true)
        #expect(m.text == "Hola, adjunto el informe de Barcelonà.")
        #expect(m.attachments.first?.data == Array("%PDF-1.4\n".utf8))
    }

    @Test func htmlOnlyMessage() throws {
        let m = try parse("""
        From: a@example.org
        Content-Type: text/html; charset=utf-8

        <html><head><title>T</title><style>p { color: red }</style></head>
        <body><p>Caf&eacute; &amp; croissants&nbsp;&#8212; <b>today</b></p>
        <script>alert("x")</script><ul><li>one</li><li>two &#x263A;</li></ul>
        <p>Line<br>break &lt;ok&gt; &bogus;</p></body></html>
        """)
        #expect(m.text == "Café & croissants — today\n\n• one\n• two ☺\n\nLine\nbreak <ok> &bogus;")
    }

    @Test func htmlAlternativeWithoutPlain() throws {
        let m = try parse("""
        From: a@example.org
        Content-Type: multipart/alternative; boundary=b

        --b
        Content-Type: text/calendar

        BEGIN:VCALENDAR
        --b
        Content-Type: text/html

        <div>Only <i>HTML</i></div>
        --b--
        """)
        #expect(m.text == "Only HTML")
        #expect(m.attachments.map(\.mimeType) == ["text/calendar"])
    }

    @Test func rfc2231AndEncodedWordFilenames() throws {
        let m = try parse("""
        From: a@example.org
        Content-Type: multipart/mixed; boundary="==b=="

        --==b==
        Content-Type: text/plain

        See attached.
        --==b==
        Content-Type: image/png
        Content-Disposition: attachment;
         filename*0*=utf-8''caf%C3%A9%20;
         filename*1="photo.png"
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --==b==
        Content-Type: application/octet-stream; name="=?utf-8?B?w6lsw6hudmU=?=.bin"
        Content-Transfer-Encoding: base64

        AAEC
        --==b==
        Content-Type: application/octet-stream
        Content-Disposition: attachment; filename="../../etc/passwd"

        x
        --==b==
        Content-Type: application/octet-stream

        y
        --==b==--
        """)
        #expect(m.text == "See attached.")
        #expect(m.attachments.map(\.filename) == ["café photo.png", "élènve.bin", "passwd", "attachment"])
        #expect(m.attachments[0].data == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(m.attachments[1].data == [0, 1, 2])
        #expect(m.attachments[2].data == Array("x".utf8))
    }

    @Test func nestedMultipartAndMissingClosingBoundary() throws {
        let m = try parse("""
        From: a@example.org
        Content-Type: multipart/mixed; boundary=L1

        --L1
        Content-Type: multipart/related; boundary=L2

        --L2
        Content-Type: multipart/alternative; boundary=L3

        --L3
        Content-Type: text/plain

        Deep text.
        --L3
        Content-Type: text/html

        <p>Deep html</p>
        --L3--
        --L2
        Content-Type: image/gif
        Content-ID: <img1>
        Content-Transfer-Encoding: base64

        R0lGODlh
        --L2--
        --L1
        Content-Type: text/plain; charset=us-ascii
        Content-Disposition: inline

        -- 
        Mailing list footer
        """)
        #expect(m.text == "Deep text.\n\n-- \nMailing list footer")
        #expect(m.attachments.map(\.mimeType) == ["image/gif"])
        #expect(m.attachments.first?.data == Array("GIF89a".utf8))
    }

    @Test func textAttachmentIsNotBody() throws {
        let m = try parse("""
        From: a@example.org
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        Body.
        --b
        Content-Type: text/plain; name=notes.txt
        Content-Disposition: attachment; filename=notes.txt

        Notes.
        --b--
        """)
        #expect(m.text == "Body.")
        #expect(m.attachments.map(\.filename) == ["notes.txt"])
        #expect(m.attachments.first?.data == Array("Notes.".utf8))
    }

    @Test func multipartWithoutBoundaryKeepsText() throws {
        let m = try parse("From: a@example.org\nContent-Type: multipart/mixed\n\nJust text.\n")
        #expect(m.text == "Just text.\n")
    }

    @Test func deepNestingIsCut() throws {
        var text = "From: a@example.org\nContent-Type: multipart/mixed; boundary=b0\n\n"
        for level in 0..<40 {
            text += "--b\(level)\nContent-Type: multipart/mixed; boundary=b\(level + 1)\n\n"
        }
        text += "--b40\nContent-Type: text/plain\n\ntoo deep\n"
        let m = try parse(text)
        #expect(m.text.isEmpty)
    }

    @Test func nonTextSinglePart() throws {
        let m = try parse("From: a@example.org\nContent-Type: application/pdf; name=doc.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n")
        #expect(m.text.isEmpty)
        #expect(m.attachments.map(\.filename) == ["doc.pdf"])
        #expect(m.attachments.first?.data == Array("%PDF-".utf8))
    }
}
