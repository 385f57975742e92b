/// HTML escaping of `<`, `>`, `&`, `"` and `'`, safe in element content and in quoted
/// attribute values, done on the text's UTF-8 bytes (no ASCII byte occurs inside a multi-byte
/// character, so the bytes find exactly these characters).
///
/// Text without any of them, most text, is returned as it is, without a copy. Working on
/// characters instead (as swift-mustache does) was an eighth of an uncached page render, and
/// leaves a `<` followed by a combining mark unescaped, because the two form one character.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var source = text
        let escaped: String? = source.withUTF8 { bytes in
            guard let first = bytes.firstIndex(where: needsEscaping) else { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + 32)
            output.append(contentsOf: bytes[..<first])
            append(bytes[first...], to: &output)
            return String(decoding: output, as: UTF8.self)
        }
        return escaped ?? text
    }

    /// Appends `bytes` (UTF-8 text), escaped, to `output`.
    public static func append(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
            default: output.append(byte)
            }
        }
    }

    /// Whether `byte` is one of the five escaped characters.
    public static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
