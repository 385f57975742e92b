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

/// Random UUIDs, lowercased.
public struct RandomIdentifierSource: IdentifierSource {
    public init() {}
    public func newID() -> String { UUID().uuidString.lowercased() }
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
