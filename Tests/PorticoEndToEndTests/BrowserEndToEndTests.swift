import Foundation
import PorticoTestSupport
import Testing

/// The editor flow in a real headless Chromium (Debian's chromium and chromium-driver, driven
/// by Python selenium): log in, create a page, upload an image, submit, publish, log out, and
/// see both as an anonymous visitor. `.ci/run` installs what it needs; on a developer machine
/// without them the test is skipped unless CI is set.
@Suite(.serialized) struct BrowserEndToEndTests {
    /// Chromium and its driver are installed (checked without starting a process, since
    /// traits are evaluated on the test pool's few threads).
    static var browserAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    }

    /// Python's selenium can be imported (asked asynchronously, without holding a thread).
    static func seleniumAvailable() async -> Bool {
        guard let probe = try? ChildProcess("/usr/bin/env", ["python3", "-c", "import selenium"]) else { return false }
        return await probe.waitForExit(timeout: .seconds(60)) == 0
    }

    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    @Test(.enabled(if: browserAvailable || required, "needs chromium, chromium-driver and python3 selenium (installed by .ci/run)"))
    func editorFlowInARealBrowser() async throws {
        let selenium = await Self.seleniumAvailable()
        #expect(Self.browserAvailable && selenium, "chromium, chromium-driver or python3 selenium is missing")
        guard Self.browserAvailable && selenium else { return }
        let server = try RunningServer(arguments: ["--data", temporaryDataFolder()])
        defer { server.stop() }
        let password = try #require(server.firstLines.firstMatch(of: /password: (\S+)/)?.1)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Browser/editor_flow.py")
        let screenshots = TestFolders.url("portico-browser")
        let process = try ChildProcess("/usr/bin/env", ["python3", script.path, "http://demo.localhost:\(server.port)", "admin", String(password), screenshots.path],
                                       output: .pipe, error: .sameAsOutput)
        // The output is collected as it comes, so that the script never waits on a full pipe.
        let collected = Locked((data: Data(), ended: false))
        process.output!.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            collected.withLock { $0.data.append(data); $0.ended = data.isEmpty }
        }
        let status = await process.waitForExit(timeout: .seconds(180))
        process.terminate()
        try? await eventually(timeout: .seconds(5)) { collected.withLock { $0.ended } }
        let text = String(decoding: collected.withLock { $0.data }, as: UTF8.self)
        #expect(status == 0, "\(text) (screenshots in \(screenshots.path), kept when the tests run with PORTICO_KEEP_TEST_FOLDERS=1)")
        #expect(text.contains("browser flow passed"))
    }
}
