import Foundation
import Testing
@testable import PorticoMail

@Suite struct DateTests {
    @Test func rfc5322AndSloppyForms() {
        let cases: [(String, Date)] = [
            ("Mon, 2 Jan 2006 15:04:05 -0700", utc(2006, 1, 2, 22, 4, 5)),
            ("Mon, 02 Jan 2006 15:04:05 +0000", utc(2006, 1, 2, 15, 4, 5)),
            ("2 Jan 2006 15:04:05 +0530", utc(2006, 1, 2, 9, 34, 5)),
            ("Mon, 2 Jan 06 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5)),
            ("Sat, 1 Jan 99 00:00:00 UT", utc(1999, 1, 1)),
            ("Tue, 13 Nov 2001 11:31:13 EST", utc(2001, 11, 13, 16, 31, 13)),
            ("Tue, 13 Nov 2001 11:31:13 PDT", utc(2001, 11, 13, 18, 31, 13)),
            ("Wed, 9 Jan 2002 17:37:24 -0800 (PST)", utc(2002, 1, 10, 1, 37, 24)),
            ("Thu,  20   Dec 2001  8:47:58 +0100 (CET)", utc(2001, 12, 20, 7, 47, 58)),
            ("Fri, 14 Dec 2001 13:13 +0200", utc(2001, 12, 14, 11, 13)),
            ("Mon Jan  2 15:04:05 2006", utc(2006, 1, 2, 15, 4, 5)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", utc(1994, 11, 6, 8, 49, 37)),
            ("2006-01-02T15:04:05+01:00", utc(2006, 1, 2, 14, 4, 5)),
            ("Mon, 31 Dec 2001 23:30:00 -0100", utc(2002, 1, 1, 0, 30)),
            ("29 Feb 2004 12:00:00 +0000", utc(2004, 2, 29, 12)),
            ("Mon, 2 Jan 2006 15:04:05 GMT-0500", utc(2006, 1, 2, 20, 4, 5)),
            ("Mon, 2 Jan 2006 03:04:05 PM +0000", utc(2006, 1, 2, 15, 4, 5)),
        ]
        for (text, expected) in cases {
            #expect(MailMessage.parseDate(text) == expected, "\(text)")
        }
    }

    @Test func unparseableDatesAreNil() {
        for text in ["", "yesterday", "32 Jan 2006 10:00:00", "Mon, 2 Foo 2006 10:00:00", "12345678901234567890", "Mon, 2 Jan 2006 99:99:99"] {
            #expect(MailMessage.parseDate(text) == nil, "\(text)")
        }
    }

    @Test func messageDate() throws {
        let m = try parse("From: a@example.org\nDate: Tue, 3 Mar 2020 10:00:00 +0100\n\nbody\n")
        #expect(m.date == utc(2020, 3, 3, 9))
        let none = try parse("From: a@example.org\nDate: garbage\n\nbody\n")
        #expect(none.date == nil)
    }
}
