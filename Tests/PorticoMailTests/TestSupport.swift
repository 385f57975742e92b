import Foundation
import PorticoTestSupport
@testable import PorticoMail

/// The message text as bytes, with LF line endings or, if `crlf`, CRLF ones.
func bytes(_ text: String, crlf: Bool = false) -> [UInt8] {
    let lf = Array(text.utf8)
    guard crlf else { return lf }
    var out = [UInt8]()
    for c in lf {
        if c == 0x0A { out.append(0x0D) }
        out.append(c)
    }
    return out
}

/// Parses `text` as a message (LF or CRLF line endings).
func parse(_ text: String, crlf: Bool = false) throws -> MailMessage {
    try MailMessage.parse(bytes(text, crlf: crlf))
}

/// Writes `contents` to a fresh temporary file and returns its URL.
func temporaryFile(_ contents: [UInt8], name: String = "test.mbox") throws -> URL {
    let dir = TestFolders.url("portico-mail")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(contents).write(to: url)
    return url
}

/// Removes a file made by `temporaryFile` and its folder.
func removeTemporaryFile(_ url: URL) {
    try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
}

/// A small deterministic random generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A UTC date for expectations.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var c = DateComponents()
    c.year = year; c.month = month; c.day = day; c.hour = hour; c.minute = minute; c.second = second
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(identifier: "UTC")!
    return cal.date(from: c)!
}

let sampleMultipart = """
From: "Anna Puig" <anna@example.org>
To: list@example.org
Subject: Report
Message-ID: <report-1@example.org>
Date: Tue, 3 Mar 2020 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble.
--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hola, adjunto el informe de Barcelon=C3=A0.
--inner
Content-Type: text/html; charset=utf-8

<p>Hola, adjunto el <b>informe</b>.</p>
--inner--
--outer
Content-Type: application/pdf; name="ignored.pdf"
Content-Disposition: attachment; filename*=utf-8''informe%20Barcelon%C3%A0.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
Epilogue.
"""
