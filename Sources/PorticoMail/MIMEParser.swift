/// Walks the MIME tree of a message (RFC 2045/2046) and sorts its leaves into readable text
/// and attachments.
///
/// multipart/alternative contributes one alternative (text/plain preferred, else HTML);
/// other multiparts contribute all their parts in order. Parts that are not text/plain or
/// text/html, and parts marked Content-Disposition: attachment, become attachments.
/// Nesting is limited to 20 levels and a message to 10,000 parts.
enum MIMEParser {
    static let maxDepth = 20
    static let maxParts = 10_000

    /// A text leaf, decoded only if it ends up in the message text.
    struct TextPart {
        var range: Range<Int>
        var charset: String?
        var encoding: TransferEncoding
        var isHTML: Bool
    }

    struct Collector {
        var texts: [TextPart] = []
        var attachments: [MailAttachment] = []
        var parts = 0
    }

    /// Walks the entity whose headers are `headers` and whose body is `body`.
    static func walk(_ b: Bytes, headers: HeaderBlock, body: Range<Int>, depth: Int, defaultType: String,
                     into c: inout Collector) {
        c.parts += 1
        guard c.parts <= maxParts else { return }
        var typeField: Range<Int>? = nil
        var encodingField: Range<Int>? = nil
        var dispositionField: Range<Int>? = nil
        for f in headers.fields {
            switch f.name.count {
            case 12 where typeField == nil && b.equalsIgnoringCase(f.name, "content-type"):
                typeField = f.value
            case 25 where encodingField == nil && b.equalsIgnoringCase(f.name, "content-transfer-encoding"):
                encodingField = f.value
            case 19 where dispositionField == nil && b.equalsIgnoringCase(f.name, "content-disposition"):
                dispositionField = f.value
            default:
                break
            }
        }
        let ctype: MIMEHeaderValue
        if let r = typeField {
            var parsed = MIMEHeaderValue(b, r)
            // "text", "" or garbage: RFC 2045 says treat as text/plain.
            if !parsed.value.contains("/") { parsed.value = "text/plain" }
            ctype = parsed
        } else {
            ctype = MIMEHeaderValue(value: defaultType)
        }
        let encoding = TransferEncoding(b, encodingField)
        let disposition = dispositionField.map { MIMEHeaderValue(b, $0) }
        let isAttachmentDisposition = disposition?.value == "attachment"

        if ctype.value.hasPrefix("multipart/") && !isAttachmentDisposition {
            guard depth < maxDepth else { return }
            guard let boundary = ctype["boundary"], !boundary.isEmpty,
                  case let parts = splitMultipart(b, body, boundary: Array(boundary.utf8)), !parts.isEmpty else {
                // A multipart without usable boundaries: keep its body as text.
                c.texts.append(TextPart(range: body, charset: nil, encoding: encoding, isHTML: false))
                return
            }
            let childDefault = ctype.value == "multipart/digest" ? "message/rfc822" : "text/plain"
            if ctype.value == "multipart/alternative" {
                var children = [Collector]()
                for part in parts {
                    var child = Collector(parts: c.parts)
                    walkPart(b, part, depth: depth + 1, defaultType: childDefault, into: &child)
                    c.parts = child.parts
                    children.append(child)
                }
                let chosen = children.firstIndex { $0.texts.contains { !$0.isHTML } }
                    ?? children.firstIndex { !$0.texts.isEmpty }
                if let chosen { c.texts.append(contentsOf: children[chosen].texts) }
                for child in children { c.attachments.append(contentsOf: child.attachments) }
            } else {
                for part in parts {
                    walkPart(b, part, depth: depth + 1, defaultType: childDefault, into: &c)
                }
            }
            return
        }

        let isPlain = ctype.value == "text/plain"
        let isHTML = ctype.value == "text/html"
        if (isPlain || isHTML) && !isAttachmentDisposition {
            c.texts.append(TextPart(range: body, charset: ctype["charset"], encoding: encoding, isHTML: isHTML))
            return
        }
        let filename = disposition?["filename"] ?? ctype["name"]
        c.attachments.append(MailAttachment(
            filename: sanitizeFilename(filename),
            mimeType: ctype.value,
            data: TransferDecoding.decode(b, body, encoding)
        ))
    }

    /// A body part: its own (lenient) headers, then its body.
    private static func walkPart(_ b: Bytes, _ part: Range<Int>, depth: Int, defaultType: String, into c: inout Collector) {
        // Lenient parsing never throws; the fallback keeps the part as a headerless body.
        let headers = (try? HeaderBlock.parse(b, from: part.lowerBound, to: part.upperBound, strict: false))
            ?? HeaderBlock(fields: [], bodyStart: part.lowerBound)
        let bodyStart = min(max(headers.bodyStart, part.lowerBound), part.upperBound)
        walk(b, headers: headers, body: bodyStart..<part.upperBound, depth: depth, defaultType: defaultType, into: &c)
    }

    /// The byte ranges of the body parts between "--boundary" lines. The line break before a
    /// delimiter belongs to the delimiter; preamble and epilogue are dropped; a missing closing
    /// delimiter ends the last part at the end of the body.
    static func splitMultipart(_ b: Bytes, _ body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
        let lo = max(0, body.lowerBound), hi = min(b.count, body.upperBound)
        var parts = [Range<Int>]()
        var partStart: Int? = nil
        var lineStart = lo
        let bl = boundary.count
        while lineStart < hi {
            let nl = b.index(of: ASCII.lf, from: lineStart, to: hi) ?? hi
            if b[lineStart] == ASCII.minus, nl - lineStart >= 2 + bl, b[lineStart + 1] == ASCII.minus,
               matches(b, at: lineStart + 2, boundary) {
                var k = lineStart + 2 + bl
                var isClose = false
                if k + 1 < nl, b[k] == ASCII.minus, b[k + 1] == ASCII.minus { isClose = true; k += 2 }
                var onlySpace = true
                while k < nl { if !isSpaceOrNewline(b[k]) { onlySpace = false; break }; k += 1 }
                if onlySpace {
                    if let ps = partStart {
                        var end = lineStart
                        if end > ps, b[end - 1] == ASCII.lf { end -= 1 }
                        if end > ps, b[end - 1] == ASCII.cr { end -= 1 }
                        parts.append(ps..<max(ps, end))
                        if parts.count >= maxParts { return parts }
                    }
                    if isClose { return parts }
                    partStart = min(nl + 1, hi)
                }
            }
            lineStart = nl + 1
        }
        if let ps = partStart { parts.append(ps..<max(ps, hi)) }
        return parts
    }

    @inline(__always)
    private static func matches(_ b: Bytes, at: Int, _ boundary: [UInt8]) -> Bool {
        guard at >= 0, at + boundary.count <= b.count else { return false }
        var i = 0
        while i < boundary.count {
            if b[at + i] != boundary[i] { return false }
            i += 1
        }
        return true
    }

    /// The last path component, without control characters; "attachment" when nothing is left.
    static func sanitizeFilename(_ name: String?) -> String {
        guard let name else { return "attachment" }
        var component = Substring(name)
        if let sep = component.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            component = component[component.index(after: sep)...]
        }
        var cleaned = String(String.UnicodeScalarView(component.unicodeScalars.filter {
            $0.value >= 0x20 && $0.value != 0x7F && !($0.value >= 0x80 && $0.value < 0xA0)
        }))
        cleaned = collapseWhitespace(cleaned)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.utf8.count > 200 {
            // Keep the extension when shortening.
            let ext = cleaned.split(separator: ".").last.map { "." + $0 } ?? ""
            let keep = ext.count < 20 ? 200 - ext.utf8.count : 200
            var head = ""
            for ch in cleaned {
                if head.utf8.count + ch.utf8.count > keep { break }
                head.append(ch)
            }
            cleaned = ext.count < 20 ? head + ext : head
        }
        return cleaned.isEmpty ? "attachment" : cleaned
    }
}
