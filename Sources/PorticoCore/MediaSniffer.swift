import Foundation
/// What the bytes of an upload really are, judged from their content and never from the
/// name or the type a browser claims.
public struct SniffedMedia: Sendable, Equatable {
    public var mimeType: String
    public var dimensions: ImageDimensions?

    public var isImage: Bool { mimeType.hasPrefix("image/") }

    public init(mimeType: String, dimensions: ImageDimensions? = nil) {
        self.mimeType = mimeType
        self.dimensions = dimensions
    }
}

/// Recognises the file formats Portico accepts from their first bytes, and reads image sizes.
public enum MediaSniffer {
    /// Types that may be served as images (SVG is deliberately absent: it can carry script).
    public static let imageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    public static func sniff(_ bytes: some Collection<UInt8>) -> SniffedMedia? {
        let head = Array(bytes.prefix(64 * 1024))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return SniffedMedia(mimeType: "image/png", dimensions: pngSize(head))
        }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            return SniffedMedia(mimeType: "image/jpeg", dimensions: jpegSize(head))
        }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) {
            guard head.count >= 10 else { return SniffedMedia(mimeType: "image/gif", dimensions: nil) }
            let width = Int(head[6]) | Int(head[7]) << 8
            let height = Int(head[8]) | Int(head[9]) << 8
            return SniffedMedia(mimeType: "image/gif", dimensions: ImageDimensions(width: width, height: height))
        }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            return SniffedMedia(mimeType: "image/webp", dimensions: webpSize(head))
        }
        if head.starts(with: Array("%PDF-".utf8)) { return SniffedMedia(mimeType: "application/pdf") }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return SniffedMedia(mimeType: "application/zip") }
        if isText(head) { return SniffedMedia(mimeType: "text/plain; charset=utf-8") }
        return nil
    }

    private static func pngSize(_ b: [UInt8]) -> ImageDimensions? {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        return ImageDimensions(width: bigEndian(b, 16, 4), height: bigEndian(b, 20, 4))
    }

    private static func jpegSize(_ b: [UInt8]) -> ImageDimensions? {
        var index = 2
        while index + 9 < b.count {
            guard b[index] == 0xFF else { return nil }
            let marker = b[index + 1]
            if marker == 0xFF { index += 1; continue }
            let length = bigEndian(b, index + 2, 2)
            let isStartOfFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isStartOfFrame {
                return ImageDimensions(width: bigEndian(b, index + 7, 2), height: bigEndian(b, index + 5, 2))
            }
            guard length >= 2 else { return nil }
            index += 2 + length
        }
        return nil
    }

    private static func webpSize(_ b: [UInt8]) -> ImageDimensions? {
        guard b.count >= 30 else { return nil }
        let chunk = String(decoding: b[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ":
            let width = (Int(b[26]) | Int(b[27]) << 8) & 0x3FFF
            let height = (Int(b[28]) | Int(b[29]) << 8) & 0x3FFF
            return ImageDimensions(width: width, height: height)
        case "VP8L":
            let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
            return ImageDimensions(width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            let width = (Int(b[24]) | Int(b[25]) << 8 | Int(b[26]) << 16) + 1
            let height = (Int(b[27]) | Int(b[28]) << 8 | Int(b[29]) << 16) + 1
            return ImageDimensions(width: width, height: height)
        default:
            return nil
        }
    }

    private static func isText(_ b: [UInt8]) -> Bool {
        guard !b.isEmpty, String(validating: b.prefix(4096), as: UTF8.self) != nil || b.count > 4096 else { return false }
        return !b.prefix(4096).contains { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20 && $0 != 0x1B) }
    }

    private static func bigEndian(_ b: [UInt8], _ offset: Int, _ count: Int) -> Int {
        var value = 0
        for i in 0..<count { value = value << 8 | Int(b[offset + i]) }
        return value
    }
}
