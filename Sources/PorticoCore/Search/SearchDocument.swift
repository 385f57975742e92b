import Foundation

/// What the catalog indexes for one item, derived from the item alone.
///
/// Being a pure function of the stored item matters: the catalog removes an item's old entry
/// by deriving the same document again from the item as it was stored.
public struct SearchDocument: Sendable, Equatable {
    public var title: String
    public var description: String
    /// The body as text: Markdown rendered then stripped of markup; a message's text as sent.
    public var body: String
    public var tags: String
    /// A message's sender; empty for other items.
    public var author: String
    /// The date searches filter and sort on: a message's date, an event's start, else the
    /// publishing date.
    public var date: Date
    /// Tags folded and wrapped as "\ntag\n" lines, for exact tag filters.
    public var tagKey: String

    public init(_ item: Item) {
        title = item.title
        description = item.description
        switch item.type {
        case .message: body = item.body
        default: body = item.bodyHTML.isEmpty ? item.body : SearchText.plainText(fromHTML: item.bodyHTML)
        }
        tags = item.tags.joined(separator: " ")
        author = item.message?.from ?? ""
        date = item.message?.date ?? item.event?.start ?? item.effective
        tagKey = item.tags.isEmpty ? "" : "\n" + item.tags.map { SearchDocument.tagKey($0) }.joined(separator: "\n") + "\n"
    }

    /// A tag as stored for filtering: folded and trimmed.
    public static func tagKey(_ tag: String) -> String {
        SearchText.fold(tag.trimmingWhitespaceAndNewlines)
    }
}
