/// One header field as byte ranges into the message: cheap to collect, decoded only when used.
struct HeaderField: Sendable {
    var nameStart: Int
    var nameEnd: Int
    /// From after the colon to the end of the last (folded) line, line break excluded.
    var valueStart: Int
    var valueEnd: Int

    var name: Range<Int> { nameStart..<nameEnd }
    var value: Range<Int> { valueStart..<max(valueStart, valueEnd) }
}

/// The header section of a message or MIME part (RFC 5322 section 2.2): field ranges and where the body starts.
struct HeaderBlock {
    var fields: [HeaderField]
    /// Index of the first body byte (after the empty line), or the end of the input.
    var bodyStart: Int

    /// Splits the header section of `b[from..<to]`.
    ///
    /// `strict` (top-level messages): no headers, a line that is not a header, or no empty line
    /// before the end all throw `.malformed`. Lenient (MIME parts): such input is treated as body.
    static func parse(_ b: Bytes, from: Int, to: Int, strict: Bool) throws(MailError) -> HeaderBlock {
        let end = min(to, b.count)
        var i = max(0, from)
        var fields = [HeaderField]()
        fields.reserveCapacity(strict ? 24 : 4)
        if strict {
            guard i < end else { throw MailError.malformed("empty message") }
            // An mbox envelope line left at the top ("From sender date").
            let k = (b[i] == ASCII.gt) ? i + 1 : i
            if k + 5 < end, b[k] == UInt8(ascii: "F"), b.hasPrefixIgnoringCase(at: k, end: end, "from "),
               b[k + 5] != ASCII.colon, !isSpaceOrNewline(b[k + 5]) {
                i = (b.index(of: ASCII.lf, from: i, to: end) ?? end - 1) + 1
            }
        }
        while true {
            if i >= end {
                if strict {
                    throw MailError.malformed(fields.isEmpty ? "no headers" : "no empty line between the headers and the body")
                }
                return HeaderBlock(fields: fields, bodyStart: end)
            }
            let nl = b.index(of: ASCII.lf, from: i, to: end) ?? end
            var lineEnd = nl
            if lineEnd > i, b[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
            let next = nl < end ? nl + 1 : end
            if lineEnd == i {
                // The empty line that ends the headers.
                if fields.isEmpty && strict { throw MailError.malformed("no headers") }
                return HeaderBlock(fields: fields, bodyStart: next)
            }
            let c = b[i]
            if isWSP(c) {
                if fields.isEmpty {
                    if strict { throw MailError.malformed("the first header line is a continuation line") }
                    return HeaderBlock(fields: [], bodyStart: from)
                }
                fields[fields.count - 1].valueEnd = lineEnd
                i = next
                continue
            }
            var j = i
            while j < lineEnd {
                let d = b[j]
                if d == ASCII.colon || d <= ASCII.space || d >= 0x7F { break }
                j += 1
            }
            let nameEnd = j
            while j < lineEnd, isWSP(b[j]) { j += 1 } // obsolete syntax: "Subject : x"
            guard nameEnd > i, j < lineEnd, b[j] == ASCII.colon else {
                if strict { throw MailError.malformed("line \(fields.count + 1) of the header is not a header field") }
                // A MIME part without headers, or with garbage: the rest is body.
                return HeaderBlock(fields: fields, bodyStart: fields.isEmpty ? from : i)
            }
            fields.append(HeaderField(nameStart: i, nameEnd: nameEnd, valueStart: j + 1, valueEnd: lineEnd))
            i = next
        }
    }

    /// The first field named `name` (lowercase literal), case-insensitively.
    func first(_ b: Bytes, _ name: StaticString) -> HeaderField? {
        for f in fields where b.equalsIgnoringCase(f.name, name) { return f }
        return nil
    }

    /// The value range of the first field named `name`.
    func value(_ b: Bytes, _ name: StaticString) -> Range<Int>? {
        first(b, name)?.value
    }
}

/// Header value decoding shared by the message and part parsers.
enum HeaderText {
    /// The unfolded value as text: raw 8-bit bytes decoded as UTF-8 if valid, else Latin-1
    /// (Windows-1252). Encoded-words are left as they are.
    static func raw(_ b: Bytes, _ range: Range<Int>) -> String {
        let r = b.trimmed(range)
        if b.index(of: ASCII.lf, from: r.lowerBound, to: r.upperBound) == nil,
           b.index(of: ASCII.cr, from: r.lowerBound, to: r.upperBound) == nil {
            return Charsets.decodeFallback(Bytes(rebasing: b[r]))
        }
        return Charsets.decodeFallback(unfold(b, r))
    }

    /// The unfolded value with RFC 2047 encoded-words decoded and whitespace collapsed.
    static func decoded(_ b: Bytes, _ range: Range<Int>) -> String {
        let r = b.trimmed(range)
        let hasNewline = b.index(of: ASCII.lf, from: r.lowerBound, to: r.upperBound) != nil
            || b.index(of: ASCII.cr, from: r.lowerBound, to: r.upperBound) != nil
        if hasNewline {
            let bytes = unfold(b, r)
            return bytes.withBytes { collapseWhitespace(EncodedWords.decode($0, 0..<$0.count)) }
        }
        return collapseWhitespace(EncodedWords.decode(b, r))
    }
}
