import Foundation
import Testing
@testable import PorticoMail

@Suite struct RobustnessTests {
    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 42)
        for round in 0..<3000 {
            let length = Int(rng.next() % 600)
            var raw = [UInt8]()
            raw.reserveCapacity(length)
            for _ in 0..<length { raw.append(UInt8(truncatingIfNeeded: rng.next())) }
            if round % 2 == 0 {
                // Make it look like a message to get past the header check.
                raw = Array("From: a@b\nContent-Type: multipart/mixed; boundary=x\n\n--x\n".utf8) + raw
            }
            do {
                let m = try MailMessage.parse(raw)
                _ = m.text.count
            } catch {
                if case .malformed = error {} else { Issue.record("unexpected \(error)") }
            }
        }
    }

    @Test func truncatedMessagesNeverTrap() {
        let full = bytes(sampleMultipart, crlf: true)
        for cut in 0...full.count {
            _ = try? MailMessage.parse(Array(full[0..<cut]))
        }
        // Byte-flipped copies.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            var copy = full
            for _ in 0..<8 {
                copy[Int(rng.next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = try? MailMessage.parse(copy)
        }
    }

    @Test func fingerprintIsStable() throws {
        let text = "From: a@example.org\nSubject: no id\n\nbody\n"
        let a = try parse(text)
        let b = try parse(text)
        let c = try parse(text + "more\n")
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
        #expect(a.fingerprint.count == 16)
        // FNV-1a 64 of the raw bytes: fixed across runs and platforms.
        #expect(try parse("From: x\n\n").fingerprint == "58da01567a3571bd")
        #expect(try parse("From: x\nMessage-ID: <id@x>\n\n").fingerprint == "id@x")
    }
}
