import Foundation

/// Where the current time comes from. Injected so that tests can fix or advance time.
public protocol PorticoClock: Sendable {
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: PorticoClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Where new identifiers and secrets come from. Injected so that tests are deterministic.
public protocol IdentifierSource: Sendable {
    /// A new globally unique identifier (lowercase, URL-safe).
    func newID() -> String
}

/// Time-ordered random UUIDs (version 7: 48 bits of milliseconds, then 74 random bits),
/// lowercased. Ids made one after another sort together, so the indexes keyed by them (items,
/// revisions, the catalog) grow at their end instead of at random pages: a bulk import of a
/// million items touches a fraction of the pages. The random part keeps them unguessable.
public struct RandomIdentifierSource: IdentifierSource {
    public init() {}

    public func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, Date().timeIntervalSince1970 * 1000)) & 0xffff_ffff_ffff
        let high = (milliseconds << 16) | 0x7000 | (generator.next() & 0x0fff)
        let low = (generator.next() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000
        return Self.uuid(high, low)
    }

    static func uuid(_ high: UInt64, _ low: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (index, value) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(digits[Int((value >> UInt64(60 - nibble * 4)) & 0xf)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Date {
    /// Milliseconds since 1970, the precision every store keeps.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000 + 0.0001).rounded(.down)) }

    public init(millisecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1000)
    }

    /// This date at the precision stores keep, so that what is saved reads back equal.
    public var roundedToMilliseconds: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}
