import Foundation

/// Turning content into the plain text the catalog indexes and snippets are cut from.
public enum SearchText {
    /// Case- and accent-insensitive form of a word, as the catalog's tokenizer compares them
    /// ("Barcelonà" → "barcelona").
    public static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// The text of an HTML fragment: tags removed, block ends turned into spaces, the common
    /// entities decoded. Used on the body HTML saved with each item (Markdown already rendered).
    public static func plainText(fromHTML html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count)
        var inTag = false
        var entity: String? = nil
        for character in html {
            if inTag {
                if character == ">" { inTag = false; output.append(" ") }
                continue
            }
            if var pending = entity {
                if character == ";" {
                    output.append(decodeEntity(pending))
                    entity = nil
                } else if pending.count < 10, character.isLetter || character.isNumber || character == "#" {
                    pending.append(character)
                    entity = pending
                } else {
                    output.append("&" + pending)
                    entity = nil
                    if character == "<" { inTag = true } else { output.append(character) }
                }
                continue
            }
            switch character {
            case "<": inTag = true
            case "&": entity = ""
            default: output.append(character)
            }
        }
        if let pending = entity { output.append("&" + pending) }
        return collapsingWhitespace(output)
    }

    /// Runs of whitespace become one space; leading and trailing whitespace goes.
    public static func collapsingWhitespace(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for character in text {
            if character.isWhitespace || character.isNewline {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(" ") }
                pendingSpace = false
                output.append(character)
            }
        }
        return output
    }

    private static func decodeEntity(_ name: String) -> String {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos", "#39": return "'"
        case "nbsp": return " "
        default:
            if name.hasPrefix("#x") || name.hasPrefix("#X"), let value = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value) {
                return String(Character(scalar))
            }
            if name.hasPrefix("#"), let value = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(value) {
                return String(Character(scalar))
            }
            return "&" + name + ";"
        }
    }
}
