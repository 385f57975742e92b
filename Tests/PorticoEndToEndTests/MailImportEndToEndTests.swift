import Foundation
import PorticoTestSupport
import Testing

/// `portico site import-mbox` and `site search` as an operator runs them.
@Suite struct MailImportEndToEndTests {
    static func mbox(list: String, subjects: [String]) -> String {
        subjects.enumerated().map { index, subject in
            """
            From someone@example.org Mon Jan  1 10:00:00 2024
            From: Someone <someone@example.org>
            To: \(list)@lists.example.org
            Subject: \(subject)
            Date: Mon, 1 Jan 2024 10:0\(index):00 +0000
            Message-ID: <\(list)-\(index)@example.org>
            List-Id: <\(list).lists.example.org>

            A message about \(subject.lowercased()).

            """
        }.joined()
    }

    @Test func anArchiveOfListsIsImportedOneFolderPerFileAndFound() async throws {
        let data = temporaryDataFolder()
        let input = TestFolders.url("portico-mbox")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try Self.mbox(list: "python-dev", subjects: ["Walrus operator", "Pattern matching"]).write(to: input.appendingPathComponent("python-dev.mbox"), atomically: true, encoding: .utf8)
        try Self.mbox(list: "gevent-users", subjects: ["Greenlets and walrus"]).write(to: input.appendingPathComponent("gevent-users.mbox"), atomically: true, encoding: .utf8)
        let files = ["python-dev.mbox", "gevent-users.mbox"].map { input.appendingPathComponent($0).path }
        #expect(try await PorticoBinary.runAsync(["site", "create", "archive", "--data", data]).status == 0)

        let imported = try await PorticoBinary.runAsync(["site", "import-mbox", "archive", "/lists"] + files + ["--folder-per-file", "--data", data])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("3 messages imported from 2 file(s) into 2 folders under /lists"), "\(imported.output)")

        let found = try await PorticoBinary.runAsync(["site", "search", "archive", "walrus", "--data", data])
        #expect(found.status == 0, "\(found.error)")
        #expect(found.output.contains("/lists/python-dev/") && found.output.contains("/lists/gevent-users/"), "\(found.output)")

        // Again: nothing new, and the same folders.
        let again = try await PorticoBinary.runAsync(["site", "import-mbox", "archive", "/lists"] + files + ["--folder-per-file", "--data", data])
        #expect(again.status == 0)
        #expect(again.output.contains("0 messages imported") && again.output.contains("3 already there"), "\(again.output)")

        // Two files that would share a folder: refused before anything is imported.
        let twin = input.appendingPathComponent("Python Dev.mbox")
        try Self.mbox(list: "other", subjects: ["Twin"]).write(to: twin, atomically: true, encoding: .utf8)
        let clash = try await PorticoBinary.runAsync(["site", "import-mbox", "archive", "/more", files[0], twin.path, "--folder-per-file", "--data", data])
        #expect(clash.status == 1)
        #expect(clash.error.contains("same folder"), "\(clash.error)")
        let nothing = try await PorticoBinary.runAsync(["site", "search", "archive", "twin", "--data", data])
        #expect(!nothing.output.contains("/more/"), "\(nothing.output)")

        let missing = try await PorticoBinary.runAsync(["site", "import-mbox", "archive", "/lists", input.appendingPathComponent("nope.mbox").path, "--data", data])
        #expect(missing.status == 1)
        #expect(missing.error.contains("does not exist"), "\(missing.error)")
    }
}
