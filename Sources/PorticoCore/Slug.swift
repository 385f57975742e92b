import Foundation

/// Slugs are the URL names of items: derived from the title, unique among siblings, editable.
///
/// A slug is 1–120 characters of lowercase ASCII letters, digits, hyphens and inner dots
/// (`annual-report.pdf`); it never starts with `_` or `.`, which keeps the `/_…` namespace
/// free for the platform's own routes, and never equals a reserved name at the site root.
public enum Slug {
    public static let maximumLength = 120

    /// Names the platform serves at the site root, so no root item may take them.
    public static let reservedAtRoot: Set<String> = ["robots.txt", "sitemap.xml", "feed.xml", "favicon.ico", "search"]

    /// Derives a slug from a title: accents folded ("Barcelonà" → "barcelona"), everything
    /// else that is not a letter or digit turned into single hyphens.
    public static func make(from title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            let isAllowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isAllowed {
                if pendingHyphen && !result.isEmpty { result.append("-") }
                pendingHyphen = false
                result.unicodeScalars.append(scalar)
            } else if ("A"..."Z").contains(scalar) {
                if pendingHyphen && !result.isEmpty { result.append("-") }
                pendingHyphen = false
                result.append(Character(scalar).lowercased())
            } else {
                pendingHyphen = true
            }
        }
        while result.utf8.count > 80 || result.hasSuffix("-") {
            result.removeLast()
        }
        return result.isEmpty ? "item" : result
    }

    /// Returns nil for a valid slug, or the reason it is not one.
    public static func problem(with slug: String, atRoot: Bool = false) -> String? {
        if slug.isEmpty { return "must not be empty" }
        if slug.utf8.count > maximumLength { return "must be at most \(maximumLength) characters" }
        if slug.hasPrefix("_") || slug.hasPrefix(".") || slug.hasPrefix("-") {
            return "must start with a letter or digit"
        }
        if slug.hasSuffix(".") || slug.hasSuffix("-") { return "must end with a letter or digit" }
        if slug.contains("..") { return "must not contain two dots in a row" }
        for scalar in slug.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "." || scalar == "_"
            if !ok { return "may contain only lowercase letters, digits, hyphens, underscores and dots" }
        }
        if atRoot && reservedAtRoot.contains(slug) { return "is reserved at the top of the site" }
        return nil
    }

    /// The first of `base`, `base-2`, `base-3`, … that is not in `taken`.
    public static func unique(_ base: String, among taken: Set<String>) -> String {
        if !taken.contains(base) { return base }
        var counter = 2
        while true {
            let candidate = numbered(base, counter)
            if !taken.contains(candidate) { return candidate }
            counter += 1
        }
    }

    /// `base-n`, with `base` shortened so that the result stays within `maximumLength`.
    public static func numbered(_ base: String, _ number: Int) -> String {
        let suffix = "-\(number)"
        return String(base.prefix(maximumLength - suffix.count)) + suffix
    }
}
