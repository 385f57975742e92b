import Foundation
import PorticoTestSupport
import Testing

@Suite(.serialized) struct ServeEndToEndTests {
    @Test func firstRunCreatesTheDemoAndServesIt() async throws {
        let data = temporaryDataFolder()
        let server = try RunningServer(arguments: ["--data", data])
        defer { server.stop() }
        #expect(server.firstLines.contains("created the demo site"))
        #expect(server.firstLines.contains("http://demo.localhost:\(server.port)/"))

        let home = try await server.get("/", host: "demo.localhost:\(server.port)")
        #expect(home.status == 200)
        #expect(String(decoding: home.body, as: UTF8.self).contains("Northfield College"))
        let fallback = try await server.get("/_site/demo/news")
        #expect(fallback.status == 200)
        #expect(String(decoding: fallback.body, as: UTF8.self).contains("Record number of applications"))
        let draft = try await server.get("/news/plans-for-the-new-library-wing", host: "demo.localhost")
        #expect(draft.status == 404)
        // The second fetch of a page is a cache hit, answered before routing; /metrics counts it.
        let miss = try await server.get("/news", host: "demo.localhost")
        let hit = try await server.get("/news", host: "demo.localhost")
        #expect(miss.status == 200 && hit.status == 200)
        #expect(hit.headers["X-Cache"] as? String == "HIT" || hit.headers["x-cache"] as? String == "HIT")
        #expect(hit.body == miss.body)
        let metrics = String(decoding: try await server.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("# TYPE portico_cache_hits_total counter"))
        #expect(metrics.firstMatch(of: /portico_cache_hits_total (\d+)/).flatMap { Int($0.1) }.map { $0 >= 1 } == true)
        #expect(FileManager.default.fileExists(atPath: data + "/platform.sqlite"))
        #expect(FileManager.default.fileExists(atPath: data + "/sites/demo/content.sqlite"))
    }

    /// Every request renders (cache off) while many connections mix pages whose reads run
    /// inline on the event loop with reads that go to the database's queues (the home page's
    /// news and events): every one must be answered. A reader held by a task waiting for its
    /// busy event loop once deadlocked the server here within a second.
    @Test(arguments: ["2", "0"])
    func uncachedPagesUnderConcurrentLoadAreAllAnswered(readersPerSite: String) async throws {
        let server = try RunningServer(
            arguments: ["--data", temporaryDataFolder(), "--cache-size", "0", "--max-renders", "256"],
            environment: ["PORTICO_STORAGE_READERS_PER_SITE": readersPerSite]
        )
        defer { server.stop() }
        let paths = ["/", "/news", "/about", "/about/our-history", "/_search?q=library"]
        let statuses = Locked<[Int: Int]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in 0..<48 {
                group.addTask {
                    for round in 0..<8 {
                        let response = try await server.get(paths[(connection + round) % paths.count], host: "demo.localhost", timeout: 20)
                        statuses.withLock { $0[response.status, default: 0] += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(statuses.withLock { $0 } == [200: 48 * 8])
    }

    @Test func aSiteCreatedWithTheCLIAnswersOnItsHostname() async throws {
        let data = temporaryDataFolder()
        let created = try await PorticoBinary.runAsync(["site", "create", "physics", "--name", "Physics Department", "--hostname", "physics.example.org", "--data", data])
        #expect(created.status == 0, "\(created.error)")
        #expect(created.output.contains("created site physics"))

        let again = try await PorticoBinary.runAsync(["site", "create", "physics", "--data", data])
        #expect(again.status != 0)
        #expect(again.error.trimmingCharacters(in: .whitespacesAndNewlines) == "error: site physics already exists")

        let list = try await PorticoBinary.runAsync(["site", "list", "--data", data])
        #expect(list.output.contains("physics\tactive\tphysics.example.org\tPhysics Department"))

        let server = try RunningServer(arguments: ["--data", data, "--no-demo"])
        defer { server.stop() }
        let home = try await server.get("/", host: "physics.example.org")
        #expect(home.status == 200)
        #expect(String(decoding: home.body, as: UTF8.self).contains("Physics Department"))
        #expect(try await server.get("/", host: "demo.localhost").status == 404)
    }

    @Test func commandsExplainFailuresInOneLine() async throws {
        let badID = try await PorticoBinary.runAsync(["site", "create", "Bad_ID", "--data", temporaryDataFolder()])
        #expect(badID.status != 0)
        #expect(badID.error == "error: site id must start with a lowercase letter\n" || badID.error.hasPrefix("error: site id"))

        let blocker = TestFolders.url("portico-file")
        try Data("x".utf8).write(to: blocker)
        let notAFolder = try await PorticoBinary.runAsync(["site", "list", "--data", blocker.path])
        #expect(notAFolder.status != 0)
        #expect(notAFolder.error.hasPrefix("error: "))
        #expect(notAFolder.error.split(separator: "\n").count == 1)

        let help = try await PorticoBinary.runAsync(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--port"))

        let noUser = try await PorticoBinary.runAsync(["user", "passwd", "nobody", "--data", temporaryDataFolder()])
        #expect(noUser.status != 0)
        #expect(noUser.error == "error: user nobody not found\n")
    }

    @Test func usersCanBeAddedAndTheirPasswordsReset() async throws {
        let data = temporaryDataFolder()
        let added = try await PorticoBinary.runAsync(["user", "add", "editor1", "--data", data])
        #expect(added.status == 0)
        #expect(added.output.contains("password: "))
        let reset = try await PorticoBinary.runAsync(["user", "passwd", "editor1", "--password-stdin", "--data", data], input: "a-long-new-password\n")
        #expect(reset.status == 0, "\(reset.error)")
        #expect(!reset.output.contains("password: "))
        let tooShort = try await PorticoBinary.runAsync(["user", "passwd", "editor1", "--password-stdin", "--data", data], input: "short\n")
        #expect(tooShort.status != 0)
        #expect(tooShort.error.contains("at least 10 characters"))
    }

    @Test func rolesAreGrantedFromTheCommandLine() async throws {
        let data = temporaryDataFolder()
        #expect(try await PorticoBinary.runAsync(["site", "create", "law", "--data", data]).status == 0)
        #expect(try await PorticoBinary.runAsync(["user", "add", "jane", "--data", data]).status == 0)
        let granted = try await PorticoBinary.runAsync(["role", "grant", "law", "jane", "editor", "--data", data])
        #expect(granted.status == 0, "\(granted.error)")
        #expect(granted.output.contains("jane is now Editor of law"))
        let list = try await PorticoBinary.runAsync(["role", "list", "law", "--data", data])
        #expect(list.output.contains("jane\teditor\t/"))
        let badRole = try await PorticoBinary.runAsync(["role", "grant", "law", "jane", "overlord", "--data", data])
        #expect(badRole.status != 0)
        #expect(badRole.error.hasPrefix("error: role “overlord” is not one of"))
        let revoked = try await PorticoBinary.runAsync(["role", "revoke", "law", "jane", "editor", "--data", data])
        #expect(revoked.status == 0)
        #expect(try await PorticoBinary.runAsync(["role", "list", "law", "--data", data]).output.isEmpty)
    }

    @Test func aPortInUseIsReportedClearly() async throws {
        let data = temporaryDataFolder()
        let first = try RunningServer(arguments: ["--data", data])
        defer { first.stop() }
        let second = try await PorticoBinary.runAsync(["serve", "--port", String(first.port), "--data", temporaryDataFolder(), "--no-demo"])
        #expect(second.status != 0)
        #expect(second.error.contains("already in use"))
    }
}
