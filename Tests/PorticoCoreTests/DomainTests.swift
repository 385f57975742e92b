import Foundation
import PorticoCore
import Testing

func makeItem(_ path: String, type: ItemType = .page, state: ItemState = .published, effective: Date = Date(timeIntervalSince1970: 0), expires: Date? = nil) -> Item {
    Item(
        id: ItemID(path), parentID: path == "/" ? nil : ItemID("parent"), path: path, slug: String(path.split(separator: "/").last ?? ""),
        type: type, title: path, state: state, created: effective, modified: effective, effective: effective, expires: expires
    )
}

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy()
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test func anonymousSeesPublishedInEffectItems() {
        let root = makeItem("/", type: .folder)
        #expect(policy.allows(.anonymous, .view, item: makeItem("/a"), ancestors: [root], at: now))
        for state in [ItemState.private, .pending] {
            #expect(!policy.allows(.anonymous, .view, item: makeItem("/a", state: state), ancestors: [root], at: now))
        }
        let future = makeItem("/a", effective: now.addingTimeInterval(60))
        #expect(!policy.allows(.anonymous, .view, item: future, ancestors: [root], at: now))
        let expired = makeItem("/a", expires: now.addingTimeInterval(-1))
        #expect(!policy.allows(.anonymous, .view, item: expired, ancestors: [root], at: now))
    }

    @Test func aHiddenFolderHidesEverythingBelowIt() {
        let root = makeItem("/", type: .folder)
        let privateFolder = makeItem("/f", type: .folder, state: .private)
        #expect(!policy.allows(.anonymous, .view, item: makeItem("/f/a"), ancestors: [root, privateFolder], at: now))
    }

    @Test func anonymousNeverWrites() {
        for action in Action.allCases where action != .view {
            #expect(!policy.allows(.anonymous, action, item: makeItem("/a"), ancestors: [], at: now))
        }
        #expect(policy.allows(.system, .edit, item: makeItem("/a", state: .private), ancestors: [], at: now))
    }
}

@Suite struct ItemDraftTests {
    @Test func reportsEveryProblem() {
        let draft = ItemDraft(type: .event, title: " ", slug: "Bad Slug")
        let fields = Set(draft.problems().map(\.field))
        #expect(fields == ["title", "slug", "start"])
    }

    @Test func eventMustEndAfterStart() {
        let start = Date()
        let draft = ItemDraft(type: .event, title: "E", event: EventDetails(start: start, end: start.addingTimeInterval(-60), location: ""))
        #expect(draft.problems().map(\.field) == ["end"])
    }

    @Test func linkTargetsAreChecked() {
        #expect(ItemDraft(type: .link, title: "L", linkTarget: "javascript:alert(1)").problems().map(\.field) == ["linkTarget"])
        #expect(ItemDraft(type: .link, title: "L", linkTarget: "//evil.example").problems().map(\.field) == ["linkTarget"])
        #expect(ItemDraft(type: .link, title: "L", linkTarget: "https://example.org/").problems().isEmpty)
        #expect(ItemDraft(type: .link, title: "L", linkTarget: "/news").problems().isEmpty)
    }

    @Test func imagesNeedAnImageBlob() {
        let pdf = BlobReference(sha256: String(repeating: "a", count: 64), mimeType: "application/pdf", size: 10, filename: "x.pdf")
        #expect(ItemDraft(type: .image, title: "I", blob: pdf).problems().map(\.field) == ["file"])
        #expect(ItemDraft(type: .file, title: "F", blob: pdf).problems().isEmpty)
    }

    @Test func expiryAfterEffective() {
        let now = Date()
        #expect(ItemDraft(type: .page, title: "P", effective: now, expires: now).problems().map(\.field) == ["expires"])
    }
}

@Suite struct MediaSnifferTests {
    @Test func recognisesImagesAndReadsTheirSize() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 1, 0, 0, 0, 0, 200, 8, 2, 0, 0, 0]
        #expect(MediaSniffer.sniff(png) == SniffedMedia(mimeType: "image/png", dimensions: ImageDimensions(width: 256, height: 200)))
        let gif: [UInt8] = Array("GIF89a".utf8) + [10, 0, 20, 0]
        #expect(MediaSniffer.sniff(gif)?.dimensions == ImageDimensions(width: 10, height: 20))
        // A JPEG: SOI, an APP0 segment, then SOF0 with height 300 and width 400.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x01, 0x90, 0x03]
        #expect(MediaSniffer.sniff(jpeg) == SniffedMedia(mimeType: "image/jpeg", dimensions: ImageDimensions(width: 400, height: 300)))
    }

    @Test func recognisesDocumentsAndRejectsUnknownBinary() {
        #expect(MediaSniffer.sniff(Array("%PDF-1.4\n".utf8))?.mimeType == "application/pdf")
        #expect(MediaSniffer.sniff(Array("hello\n".utf8))?.mimeType == "text/plain; charset=utf-8")
        #expect(MediaSniffer.sniff([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00]) == nil)
        #expect(MediaSniffer.sniff([UInt8]()) == nil)
        // An HTML file is not an image, whatever its name says.
        #expect(MediaSniffer.sniff(Array("<script>alert(1)</script>".utf8))?.isImage == false)
    }
}

@Suite struct TextDiffTests {
    @Test func showsAddedRemovedAndKeptLines() {
        let diff = TextDiff.lines("one\ntwo\nthree", "one\n2\nthree\nfour")
        #expect(diff == [.same("one"), .removed("two"), .added("2"), .same("three"), .added("four")])
        #expect(TextDiff.lines("", "a") == [.added("a")])
        #expect(TextDiff.lines("a", "") == [.removed("a")])
        #expect(TextDiff.lines("same", "same") == [.same("same")])
    }

    @Test func hugeInputsFallBackToOneBlock() {
        let old = (0..<3000).map(String.init).joined(separator: "\n")
        let new = (0..<3000).map { "x\($0)" }.joined(separator: "\n")
        let diff = TextDiff.lines(old, new, limit: 1000)
        #expect(diff.count == 6000)
    }
}

@Suite struct IdentifierSourceTests {
    @Test func idsAreVersion7UUIDsThatSortByCreation() throws {
        let source = RandomIdentifierSource()
        var ids: [String] = []
        for _ in 0..<3 {
            ids.append(source.newID())
            Thread.sleep(forTimeInterval: 0.002)
        }
        for id in ids {
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "7")
            #expect("89ab".contains(Array(id)[19]))
        }
        #expect(ids == ids.sorted())
        #expect(Set((0..<1000).map { _ in source.newID() }).count == 1000)
    }
}
