public import Foundation
public import PorticoCore
public import PorticoStore

/// A grant in the archive that the import did not create, and why.
public struct SkippedGrant: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// No user here has the grant's username (create the user, then grant the role again).
        case unknownUser
        /// The grant is on an item the archive does not hold (it was deleted before the export).
        case unknownItem
    }

    public var grant: PortableGrant
    public var reason: Reason
}

/// What an import created, for the command line to print.
public struct ImportReport: Sendable, Equatable {
    /// The new site, as registered.
    public var site: Site
    /// Where the archive came from.
    public var sourceSiteID: String
    public var sourcePorticoVersion: String
    public var archiveCreated: Date
    /// What was created: `grants` counts the grants created, `blobs` the blobs stored.
    public var counts: ArchiveCounts
    public var skippedGrants: [SkippedGrant]
    /// Usernames named as creators or authors that have no account here. Their user ids are
    /// kept as they were, so that the history still tells them apart.
    public var unknownUsers: [String]
}
