import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A site's life with the real binary: exported from one data folder and imported into
/// another, backed up and restored, baked and served by nginx.
@Suite(.serialized) struct SiteLifecycleEndToEndTests {
    static let pages = ["/", "/news", "/events", "/about", "/contact", "/sitemap.xml", "/feed.xml", "/robots.txt"]

    /// A data folder with the demo site (made by a first `serve`, then stopped).
    static func demoFolder() async throws -> String {
        let data = temporaryDataFolder()
        let server = try RunningServer(arguments: ["--data", data])
        server.stop()
        await server.process.waitForExit(timeout: .seconds(30))
        return data
    }

    @Test func anExportedSiteImportedIntoAnotherDataFolderRendersTheSamePages() async throws {
        let source = try await Self.demoFolder()
        let archive = temporaryDataFolder() + ".zip"
        let export = try await PorticoBinary.runAsync(["site", "export", "demo", archive, "--data", source])
        #expect(export.status == 0, "\(export.error)")
        #expect(export.output.contains("exported site demo"))
        let target = temporaryDataFolder()
        let imported = try await PorticoBinary.runAsync(["site", "import", archive, "--as", "college", "--hostname", "college.test", "--data", target])
        #expect(imported.status == 0, "\(imported.error)")
        // Importing the same archive again under a taken id is refused, and changes nothing.
        let again = try await PorticoBinary.runAsync(["site", "import", archive, "--as", "college", "--data", target])
        #expect(again.status == 1)
        #expect(again.error.contains("already exists"))

        let original = try RunningServer(arguments: ["--data", source])
        defer { original.stop() }
        let copy = try RunningServer(arguments: ["--data", target, "--no-demo"])
        defer { copy.stop() }
        for path in Self.pages {
            let a = try await original.get(path, host: "demo.localhost")
            let b = try await copy.get(path, host: "college.test")
            #expect(a.status == 200 && b.status == 200, "\(path): \(a.status) / \(b.status)")
            let left = String(decoding: a.body, as: UTF8.self).replacingOccurrences(of: "demo.localhost", with: "HOST")
            let right = String(decoding: b.body, as: UTF8.self).replacingOccurrences(of: "college.test", with: "HOST")
            #expect(left == right, "\(path) differs")
        }
    }

    @Test func aBackupRestoresOverLaterEdits() async throws {
        let data = try await Self.demoFolder()
        let backups = temporaryDataFolder()
        let backup = try await PorticoBinary.runAsync(["site", "backup", "demo", "--to", backups, "--data", data])
        #expect(backup.status == 0, "\(backup.error)")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: backups).first { $0.hasSuffix(".backup") })
        // Later: the site is renamed.
        #expect(try await PorticoBinary.runAsync(["site", "hostnames", "demo", "renamed.test", "--data", data]).status == 0)
        let refused = try await PorticoBinary.runAsync(["site", "restore", backups + "/" + folder, "--data", data])
        #expect(refused.status == 1)
        #expect(refused.error.contains("--replace"))
        let wrong = try await PorticoBinary.runAsync(["site", "restore", backups + "/" + folder, "--site", "other", "--replace", "--data", data])
        #expect(wrong.status == 1)
        let restored = try await PorticoBinary.runAsync(["site", "restore", backups + "/" + folder, "--site", "demo", "--replace", "--data", data])
        #expect(restored.status == 0, "\(restored.error)")
        let check = try await PorticoBinary.runAsync(["site", "check", "demo", "--data", data])
        #expect(check.status == 0)
        #expect(check.output.hasPrefix("OK   demo:"))
    }

    @Test func aBakeIsServedByNginxWithEveryLinkWorking() async throws {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let data = try await Self.demoFolder()
        let bake = temporaryDataFolder()
        let baked = try await PorticoBinary.runAsync(["site", "bake", "demo", bake, "--data", data])
        #expect(baked.status == 0, "\(baked.error)")
        #expect(baked.output.contains("baked site demo"))
        guard let nginx else {
            Issue.record("nginx is not installed (apt-get install nginx); .ci/run installs it")
            return
        }
        let port = try freePort()
        let work = temporaryDataFolder()
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        chmod(work, 0o755)
        chmod(bake, 0o755)
        let configuration = """
            worker_processes 1;
            pid \(work)/nginx.pid;
            error_log \(work)/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                include /etc/nginx/mime.types;
                server {
                    listen 127.0.0.1:\(port);
                    root \(bake);
                    error_page 404 /404.html;
                }
            }
            """
        try configuration.write(toFile: work + "/nginx.conf", atomically: true, encoding: .utf8)
        let server = try ChildProcess(nginx, ["-c", work + "/nginx.conf", "-g", "daemon off;"])
        defer { server.terminate() }
        try await eventually(timeout: .seconds(20)) { (try? Data(contentsOf: URL(fileURLWithPath: work + "/nginx.pid"))) != nil }

        // Crawl from the home page: every relative link must answer 200.
        var queue = ["/"]
        var seen = Set<String>()
        while let path = queue.popLast() {
            guard seen.insert(path).inserted else { continue }
            let (status, body) = try await fetch(port: port, path: path, host: "localhost")
            #expect(status == 200, "\(path) answered \(status)")
            guard path.hasSuffix("/") || path.hasSuffix(".html") else { continue }
            for match in body.matches(of: /(?:href|src)="([^"#?:]+)"/) {
                let link = String(match.1)
                guard !link.hasPrefix("//") else { continue }
                let base = URL(string: "http://localhost\(path)")!
                if let resolved = URL(string: link, relativeTo: base)?.path { queue.append(resolved.hasSuffix("/") || resolved.contains(".") ? resolved : resolved + "/") }
            }
        }
        #expect(seen.count > 10)
        let (missing, page) = try await fetch(port: port, path: "/no/such/page/", host: "localhost")
        #expect(missing == 404)
        #expect(page.contains("Northfield"))
    }
}
