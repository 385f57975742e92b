import Foundation
import Testing
@testable import PorticoWeb

/// Dates as pages, feeds and sitemaps show them (UTC).
@Suite struct FormattingTests {
    static func date(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test func isoDatesAreRFC3339InUTC() {
        #expect(Formatting.iso(Self.date("2026-11-23T14:30:05Z")) == "2026-11-23T14:30:05Z")
        #expect(Formatting.iso(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Formatting.iso(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(Formatting.iso(Date(timeIntervalSince1970: 1.9)) == "1970-01-01T00:00:01Z")
        #expect(Formatting.iso(Self.date("1900-02-28T12:00:09Z")) == "1900-02-28T12:00:09Z")
        #expect(Formatting.iso(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00Z")
    }

    @Test func daysAreWrittenOut() {
        #expect(Formatting.day(Self.date("2026-11-23T23:59:59Z")) == "23 November 2026")
        #expect(Formatting.day(Date(timeIntervalSince1970: 0)) == "1 January 1970")
        #expect(Formatting.dayAndTime(Self.date("2026-03-01T09:05:00Z")) == "1 March 2026, 09:05")
        #expect(Formatting.dateTimeLocal(Self.date("2026-03-01T09:05:00Z")) == "2026-03-01T09:05")
    }
}
