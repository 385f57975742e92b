import Foundation

/// A decoded attachment: a non-text MIME part, or any part marked Content-Disposition: attachment.
public struct MailAttachment: Sendable, Equatable {
    /// Sanitised (no path separators or control characters); "attachment" when the mail gives none.
    public var filename: String
    /// Lowercased media type, e.g. "image/png".
    public var mimeType: String
    /// The decoded content (transfer encoding removed).
    public var data: [UInt8]

    public init(filename: String, mimeType: String, data: [UInt8]) {
        self.filename = filename
        self.mimeType = mimeType
        self.data = data
    }
}

/// One mail message, decoded into what an archive page needs: who, when, what about, the
/// readable text and the attachments. Parsing works on raw bytes because mail is bytes in
/// whatever charset the sender's software chose, and because imports parse millions of messages.
public struct MailMessage: Sendable {
    /// Message-ID without angle brackets, trimmed.
    public var messageID: String?
    /// The first id of In-Reply-To, without brackets.
    public var inReplyTo: String?
    /// The ids of References, in order, without brackets.
    public var references: [String]
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// From the Date header; nil when missing or unparseable.
    public var date: Date?
    /// Encoded-words decoded, unfolded, whitespace collapsed.
    public var subject: String
    /// The List-Id header's <...> content (the whole value if it has no brackets).
    public var listID: String?
    /// The readable body: text/plain parts, else HTML converted to text; line breaks are "\n".
    public var text: String
    public var attachments: [MailAttachment]
    /// messageID if present, else a stable FNV-1a 64 hex hash of the raw bytes: an import key.
    public var fingerprint: String

    /// The raw header section, kept for `header(_:)`.
    var headerBytes: [UInt8]
    var headerFields: [HeaderField]

    public init(messageID: String? = nil, inReplyTo: String? = nil, references: [String] = [],
                from: MailAddress = MailAddress(address: ""), to: [MailAddress] = [], cc: [MailAddress] = [],
                date: Date? = nil, subject: String = "", listID: String? = nil, text: String = "",
                attachments: [MailAttachment] = [], fingerprint: String = "") {
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.from = from
        self.to = to
        self.cc = cc
        self.date = date
        self.subject = subject
        self.listID = listID
        self.text = text
        self.attachments = attachments
        self.fingerprint = fingerprint.isEmpty ? (messageID ?? "") : fingerprint
        self.headerBytes = []
        self.headerFields = []
    }

    /// Parses one message (RFC 5322 + MIME). Throws `.malformed` when the bytes are not a mail
    /// message (no headers, a non-header line in the header section, no empty line after it).
    public static func parse(_ bytes: [UInt8]) throws(MailError) -> MailMessage {
        try bytes.withBytes { (b: Bytes) throws(MailError) -> MailMessage in try parse(b) }
    }

    /// Parses the message of an mbox entry.
    public static func parse(_ entry: MboxEntry) throws(MailError) -> MailMessage {
        try parse(entry.bytes)
    }

    /// Parses a message held in any contiguous buffer.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) throws(MailError) -> MailMessage {
        let headers = try HeaderBlock.parse(b, from: 0, to: b.count, strict: true)
        var m = MailMessage()
        m.headerBytes = Array(b[0..<headers.bodyStart])
        m.headerFields = headers.fields

        var messageIDField: Range<Int>? = nil
        var inReplyToField: Range<Int>? = nil
        var referencesField: Range<Int>? = nil
        var fromField: Range<Int>? = nil
        var senderField: Range<Int>? = nil
        var toField: Range<Int>? = nil
        var ccField: Range<Int>? = nil
        var dateField: Range<Int>? = nil
        var subjectField: Range<Int>? = nil
        var listIDField: Range<Int>? = nil
        for f in headers.fields {
            let n = f.name
            switch n.count {
            case 2:
                if toField == nil, b.equalsIgnoringCase(n, "to") { toField = f.value }
                else if ccField == nil, b.equalsIgnoringCase(n, "cc") { ccField = f.value }
            case 4:
                if fromField == nil, b.equalsIgnoringCase(n, "from") { fromField = f.value }
                else if dateField == nil, b.equalsIgnoringCase(n, "date") { dateField = f.value }
            case 6:
                if senderField == nil, b.equalsIgnoringCase(n, "sender") { senderField = f.value }
            case 7:
                if subjectField == nil, b.equalsIgnoringCase(n, "subject") { subjectField = f.value }
                else if listIDField == nil, b.equalsIgnoringCase(n, "list-id") { listIDField = f.value }
            case 10:
                if messageIDField == nil, b.equalsIgnoringCase(n, "message-id") { messageIDField = f.value }
                else if referencesField == nil, b.equalsIgnoringCase(n, "references") { referencesField = f.value }
            case 11:
                if inReplyToField == nil, b.equalsIgnoringCase(n, "in-reply-to") { inReplyToField = f.value }
            default:
                break
            }
        }

        if let r = messageIDField { m.messageID = MessageIDs.list(b, r, allowBare: true).first }
        if let r = inReplyToField { m.inReplyTo = MessageIDs.list(b, r, allowBare: false).first }
        if let r = referencesField { m.references = MessageIDs.list(b, r, allowBare: true) }
        if let r = fromField ?? senderField, let first = AddressParser.parseList(b, r).first { m.from = first }
        if let r = toField { m.to = AddressParser.parseList(b, r) }
        if let r = ccField { m.cc = AddressParser.parseList(b, r) }
        if let r = dateField { m.date = MailDate.parse(b, r) }
        if let r = subjectField { m.subject = HeaderText.decoded(b, r) }
        if let r = listIDField {
            m.listID = MessageIDs.list(b, r, allowBare: false).first ?? {
                let v = HeaderText.raw(b, r)
                return v.isEmpty ? nil : v
            }()
        }

        var collector = MIMEParser.Collector()
        MIMEParser.walk(b, headers: headers, body: min(headers.bodyStart, b.count)..<b.count, depth: 0,
                        defaultType: "text/plain", into: &collector)
        m.text = BodyText.render(b, collector.texts)
        m.attachments = collector.attachments
        m.fingerprint = m.messageID ?? Fingerprint.fnv1a64Hex(b)
        return m
    }

    /// The first header named `name` (case-insensitive), unfolded and trimmed; raw 8-bit bytes
    /// decoded as UTF-8 or Latin-1, encoded-words left as they are.
    public func header(_ name: String) -> String? {
        headerBytes.withBytes { b in
            for f in headerFields where Self.nameMatches(b, f, name) { return HeaderText.raw(b, f.value) }
            return nil
        }
    }

    /// Every header named `name`, in order.
    public func headers(named name: String) -> [String] {
        headerBytes.withBytes { b in
            headerFields.filter { Self.nameMatches(b, $0, name) }.map { HeaderText.raw(b, $0.value) }
        }
    }

    /// All header fields in order, as (name, unfolded raw value).
    public var allHeaders: [(name: String, value: String)] {
        headerBytes.withBytes { b in
            headerFields.map { (Charsets.decodeFallback(Bytes(rebasing: b[$0.name])), HeaderText.raw(b, $0.value)) }
        }
    }

    private static func nameMatches(_ b: Bytes, _ f: HeaderField, _ name: String) -> Bool {
        let utf8 = name.utf8
        guard f.name.count == utf8.count, f.nameEnd <= b.count else { return false }
        var i = f.nameStart
        for c in utf8 {
            if lowerASCII(b[i]) != lowerASCII(c) { return false }
            i += 1
        }
        return true
    }

    /// Parses a Date header value; nil when unparseable. See `date`.
    public static func parseDate(_ value: String) -> Date? {
        MailDate.parse(value)
    }
}

/// Message ids from Message-ID, In-Reply-To and References: "<id>" tokens in order.
enum MessageIDs {
    /// `allowBare`: when there are no angle brackets, whitespace-separated tokens count as ids.
    static func list(_ b: Bytes, _ range: Range<Int>, allowBare: Bool) -> [String] {
        let lo = max(0, range.lowerBound), hi = min(b.count, range.upperBound)
        var ids = [String]()
        var i = lo
        var sawBracket = false
        while let lt = b.index(of: ASCII.lt, from: i, to: hi) {
            sawBracket = true
            guard let gt = b.index(of: ASCII.gt, from: lt + 1, to: hi) else { break }
            let id = clean(b, (lt + 1)..<gt)
            if !id.isEmpty, ids.count < 10_000 { ids.append(id) }
            i = gt + 1
        }
        if !sawBracket {
            // No brackets: bare ids (allowed for Message-ID/References) or one token with "@".
            var start = -1
            var k = lo
            while k <= hi {
                let space = k == hi || isSpaceOrNewline(b[k]) || b[k] == ASCII.comma
                if space {
                    if start >= 0 {
                        let tokenRange = start..<k
                        if allowBare || b.index(of: ASCII.at, from: start, to: k) != nil {
                            let id = clean(b, tokenRange)
                            if !id.isEmpty, ids.count < 10_000 { ids.append(id) }
                        }
                        start = -1
                    }
                } else if start < 0 {
                    start = k
                }
                k += 1
            }
        }
        return ids
    }

    private static func clean(_ b: Bytes, _ range: Range<Int>) -> String {
        let r = b.trimmed(range)
        if b.index(of: ASCII.lf, from: r.lowerBound, to: r.upperBound) == nil,
           b.index(of: ASCII.space, from: r.lowerBound, to: r.upperBound) == nil,
           b.index(of: ASCII.tab, from: r.lowerBound, to: r.upperBound) == nil,
           b.index(of: ASCII.cr, from: r.lowerBound, to: r.upperBound) == nil {
            return Charsets.decodeFallback(Bytes(rebasing: b[r]))
        }
        return Charsets.decodeFallback(Array(b[r]).filter { !isSpaceOrNewline($0) })
    }
}

/// Turns the chosen text leaves into the message text.
enum BodyText {
    static func render(_ b: Bytes, _ parts: [MIMEParser.TextPart]) -> String {
        var pieces = [String]()
        for part in parts {
            var s = decodePart(b, part)
            if part.isHTML { s = HTMLText.text(fromHTML: s) }
            if !pieces.isEmpty && s.isEmpty { continue }
            pieces.append(s)
        }
        if pieces.count == 1 { return pieces[0] }
        var out = ""
        for p in pieces {
            if !out.isEmpty {
                if !out.hasSuffix("\n") { out += "\n" }
                out += "\n"
            }
            out += p
        }
        return out
    }

    /// Transfer-decodes, converts CRLF to LF and decodes the charset.
    static func decodePart(_ b: Bytes, _ part: MIMEParser.TextPart) -> String {
        let lo = max(0, min(part.range.lowerBound, b.count)), hi = max(lo, min(part.range.upperBound, b.count))
        let asciiCompatible = !(part.charset.map(isWideCharset) ?? false)
        if part.encoding == .identity {
            if !asciiCompatible || b.index(of: ASCII.cr, from: lo, to: hi) == nil {
                return Charsets.decode(Bytes(rebasing: b[lo..<hi]), charset: part.charset)
            }
            return Charsets.decode(normalizeNewlines(Bytes(rebasing: b[lo..<hi])), charset: part.charset)
        }
        var bytes = TransferDecoding.decode(b, lo..<hi, part.encoding)
        if asciiCompatible, bytes.contains(ASCII.cr) {
            bytes = bytes.withBytes { normalizeNewlines($0) }
        }
        return Charsets.decode(bytes, charset: part.charset)
    }

    private static func isWideCharset(_ charset: String) -> Bool {
        var cs = charset
        return cs.withUTF8 { b in
            b.hasPrefixIgnoringCase(at: 0, end: b.count, "utf-16") || b.hasPrefixIgnoringCase(at: 0, end: b.count, "utf-32")
                || b.hasPrefixIgnoringCase(at: 0, end: b.count, "ucs") || b.hasPrefixIgnoringCase(at: 0, end: b.count, "utf16")
                || b.hasPrefixIgnoringCase(at: 0, end: b.count, "utf32")
        }
    }

    /// CRLF and lone CR become LF.
    static func normalizeNewlines(_ b: Bytes) -> [UInt8] {
        let n = b.count
        return [UInt8](unsafeUninitializedCapacity: n) { out, count in
            guard let src = b.baseAddress, let dst = out.baseAddress else { count = 0; return }
            var o = 0
            var i = 0
            while i < n {
                let cr = b.index(of: ASCII.cr, from: i, to: n) ?? n
                // Copy the run before the CR in one go.
                if cr > i {
                    (dst + o).initialize(from: src + i, count: cr - i)
                    o += cr - i
                }
                guard cr < n else { break }
                dst[o] = ASCII.lf
                o += 1
                i = (cr + 1 < n && b[cr + 1] == ASCII.lf) ? cr + 2 : cr + 1
            }
            count = o
        }
    }
}

/// FNV-1a 64: a tiny, stable (across runs and platforms) hash for messages without a
/// Message-ID, and for importers that need short stable names from ids.
public enum Fingerprint {
    public static func fnv1a64<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in bytes {
            h ^= UInt64(c)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The hash as 16 lowercase hex digits.
    public static func fnv1a64Hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let hex = String(fnv1a64(bytes), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
