import Foundation

/// A line-by-line comparison of two texts, for showing what changed between two revisions.
public enum TextDiff {
    public enum Line: Sendable, Equatable {
        case same(String)
        case added(String)
        case removed(String)
    }

    /// The lines of `old` and `new` as kept, removed and added, in order (longest common
    /// subsequence). Very large inputs beyond `limit` line pairs are compared as one block.
    public static func lines(_ old: String, _ new: String, limit: Int = 4_000_000) -> [Line] {
        let a = old.isEmpty ? [] : old.components(separatedBy: "\n")
        let b = new.isEmpty ? [] : new.components(separatedBy: "\n")
        // Common prefix and suffix first: most edits touch a few lines.
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        var result = a[..<prefix].map { Line.same($0) }
        if midA.count * midB.count > limit {
            result += midA.map { .removed($0) } + midB.map { .added($0) }
        } else {
            result += middle(midA, midB)
        }
        result += a[(a.count - suffix)...].map { Line.same($0) }
        return result
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count
        let m = b.count
        guard n > 0 else { return b.map { .added($0) } }
        guard m > 0 else { return a.map { .removed($0) } }
        // lengths[i][j]: LCS length of a[i...] and b[j...]
        var lengths = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < n && j < m {
            if a[i] == b[j] {
                result.append(.same(a[i]))
                i += 1
                j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                result.append(.removed(a[i]))
                i += 1
            } else {
                result.append(.added(b[j]))
                j += 1
            }
        }
        result += a[i...].map { .removed($0) }
        result += b[j...].map { .added($0) }
        return result
    }
}
