/// How much an import may unpack. Archives are untrusted input: sizes in zip headers can lie
/// and a few kilobytes can inflate to gigabytes, so every limit is enforced on the bytes
/// actually produced while streaming, not on what the headers declare.
public struct ArchiveLimits: Sendable, Equatable {
    /// All entries together, uncompressed.
    public var maximumTotalSize: UInt64
    /// One JSON document, which is held in memory to be decoded.
    public var maximumDocumentSize: UInt64
    /// How many times its compressed size an entry may inflate to. Deflate rarely exceeds
    /// 20 on real content; zip bombs reach 1,000.
    public var maximumCompressionRatio: UInt64
    /// Entries up to this size are exempt from the ratio: small files compress well legitimately.
    public var ratioExemptSize: UInt64
    public var maximumEntryCount: Int

    public init(maximumTotalSize: UInt64 = 20 << 30, maximumDocumentSize: UInt64 = 512 << 20, maximumCompressionRatio: UInt64 = 200,
                ratioExemptSize: UInt64 = 1 << 20, maximumEntryCount: Int = 1_000_000) {
        self.maximumTotalSize = maximumTotalSize
        self.maximumDocumentSize = maximumDocumentSize
        self.maximumCompressionRatio = maximumCompressionRatio
        self.ratioExemptSize = ratioExemptSize
        self.maximumEntryCount = maximumEntryCount
    }

    /// 20 GiB in all, 512 MiB per document, ratio 200 above 1 MiB, a million entries.
    public static let standard = ArchiveLimits()
}
