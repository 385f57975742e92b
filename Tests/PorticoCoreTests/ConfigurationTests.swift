import PorticoCore
import Testing

/// Configuration files: layering, the environment, secrets and error reports.
@Suite struct ConfigurationTests {
    struct Missing: Error {}

    /// A loader over an in-memory set of files.
    static func loader(_ files: [String: String]) -> ConfigurationLoader {
        ConfigurationLoader { path in
            guard let text = files[path] else { throw Missing() }
            return text
        }
    }

    static func issues(_ files: [String: String], path: String = "/etc/portico/prod.toml", environment: [String: String] = [:]) -> [String] {
        do {
            _ = try loader(files).load(path: path, environment: environment)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func defaultsWithoutAFile() throws {
        let configuration = try Self.loader([:]).load(path: nil, environment: [:])
        #expect(configuration == PorticoConfiguration())
        #expect(configuration.port == 8080)
        #expect(configuration.pageCacheControl == "public, max-age=0, must-revalidate")
    }

    @Test func aFileExtendsItsBaseAndTheEnvironmentWins() throws {
        let files = [
            "/etc/portico/base.toml": """
                [server]
                port = 9000
                workers = 2
                [cache]
                size = 64
                purge = ["http://127.0.0.1:6081/"]
                """,
            "/etc/portico/prod.toml": """
                extends = "base.toml"   # relative to this file
                [server]
                workers = 4
                [cache.control]
                page = "public, max-age=60"
                """,
        ]
        let configuration = try Self.loader(files).load(path: "/etc/portico/prod.toml", environment: ["PORTICO_CACHE_SIZE": "512", "HOME": "/root"])
        #expect(configuration.port == 9000)
        #expect(configuration.workers == 4)
        #expect(configuration.cacheSize == 512)
        #expect(configuration.purge == ["http://127.0.0.1:6081/"])
        #expect(configuration.pageCacheControl == "public, max-age=60")
    }

    /// Surrogate-key headers are off by default, on when asked for (file or environment), and
    /// on whenever Portico purges an external cache, which finds pages by them.
    @Test func surrogateKeysFollowTheirKeyAndThePurgeTargets() throws {
        let defaults = try Self.loader([:]).load(path: nil, environment: [:])
        #expect(!defaults.sendsSurrogateKeys)
        let asked = try Self.loader(["/p.toml": "[cache]\nsurrogate_keys = true\n"]).load(path: "/p.toml", environment: [:])
        #expect(asked.surrogateKeys && asked.sendsSurrogateKeys)
        let fromEnvironment = try Self.loader([:]).load(path: nil, environment: ["PORTICO_CACHE_SURROGATE_KEYS": "true"])
        #expect(fromEnvironment.sendsSurrogateKeys)
        let purging = try Self.loader(["/p.toml": "[cache]\npurge = [\"http://127.0.0.1:6081/\"]\n"]).load(path: "/p.toml", environment: [:])
        #expect(!purging.surrogateKeys && purging.sendsSurrogateKeys)
        let refused = Self.issues(["/p.toml": "[cache]\nsurrogate_keys = \"sometimes\"\n"], path: "/p.toml")
        #expect(refused.contains { $0.contains("cache.surrogate_keys") })
    }

    @Test func everyProblemIsReportedWithFileLineAndKey() {
        let issues = Self.issues(["/etc/portico/prod.toml": """
            [server]
            prot = 80
            port = "eighty"
            workers = 1000
            [cache]
            editor_reserve = 4
            [log]
            level = "loud"
            [nonsense]
            """])
        #expect(issues == [
            "/etc/portico/prod.toml:2: server.prot: unknown key; did you mean 'server.port'?",
            "/etc/portico/prod.toml:3: server.port: must be an integer, not a string",
            "/etc/portico/prod.toml:4: server.workers: must be between 0 and 256, not 1000",
            "/etc/portico/prod.toml:8: log.level: must be one of trace, debug, info, notice, warning, error, critical, not \"loud\"",
            "/etc/portico/prod.toml:9: nonsense: unknown key",
        ])
    }

    @Test func syntaxErrorsNameTheLine() {
        let issues = Self.issues(["/etc/portico/prod.toml": "[server]\nport = 80\nhost = \"unterminated\n"])
        #expect(issues.count == 1)
        #expect(issues.first?.hasPrefix("/etc/portico/prod.toml:3: not valid TOML") == true)
    }

    @Test func secretsStayOutOfTheFile() throws {
        let inFile = Self.issues(["/etc/portico/prod.toml": "[monitor]\ntoken = \"0123456789abcdef0123\"\n"])
        #expect(inFile == ["/etc/portico/prod.toml:2: monitor.token: secrets may not be written in a configuration file: use monitor.token_file (a file holding it) or the environment variable PORTICO_MONITOR_TOKEN"])
        let fromFile = try Self.loader([
            "/etc/portico/prod.toml": "[monitor]\ntoken_file = \"/run/secrets/monitor\"\n",
            "/run/secrets/monitor": "0123456789abcdef0123\n",
        ]).load(path: "/etc/portico/prod.toml", environment: [:])
        #expect(fromFile.monitorToken == "0123456789abcdef0123")
        let fromEnvironment = try Self.loader([:]).load(path: nil, environment: ["PORTICO_MONITOR_TOKEN": "fedcba9876543210fedc"])
        #expect(fromEnvironment.monitorToken == "fedcba9876543210fedc")
        let short = Self.issues(["/etc/portico/prod.toml": "[monitor]\ntoken_file = \"/s\"\n", "/s": "short"])
        #expect(short == ["/etc/portico/prod.toml:2: monitor.token_file: /s must hold a token of at least 16 characters"])
    }

    @Test func brokenChainsAreReported() {
        let cycle = Self.issues(["/a.toml": "extends = \"b.toml\"", "/b.toml": "extends = \"a.toml\""], path: "/a.toml")
        #expect(cycle.count == 1)
        #expect(cycle.first?.contains("extends itself") == true)
        let missing = Self.issues(["/a.toml": "extends = \"nowhere.toml\""], path: "/a.toml")
        #expect(missing.count == 1)
        #expect(missing.first?.hasPrefix("/nowhere.toml: cannot read the file") == true)
        let notAString = Self.issues(["/a.toml": "extends = 3"], path: "/a.toml")
        #expect(notAString == ["/a.toml:1: extends: must be a file name (a string)"])
    }

    @Test func theEnvironmentIsCheckedToo() {
        let issues = Self.issues([:], path: "/none", environment: ["PORTICO_SERVER_PORT": "http", "PORTICO_CACHE_CONTROL_PAGE": "a\r\nSet-Cookie: x"])
        #expect(issues.contains("/none: cannot read the file (Missing())"))
        #expect(issues.contains("environment: PORTICO_CACHE_CONTROL_PAGE: must be a non-empty header value of printable ASCII characters"))
        #expect(issues.contains("environment: PORTICO_SERVER_PORT: must be an integer"))
    }

    @Test func rulesBetweenKeys() {
        let issues = Self.issues(["/p.toml": "[cache]\nmax_renders = 4\neditor_reserve = 4\npurge = [\"ftp://x\"]\n"], path: "/p.toml")
        #expect(issues == [
            "configuration: cache.editor_reserve: must be less than cache.max_renders (4)",
            "configuration: cache.purge: ftp://x must be an http:// or https:// address",
        ])
    }

    @Test func theDefaultsFileIsValidAndComplete() throws {
        let text = ConfigurationSchema.defaultsFile()
        let table = try TOML.parse(text)
        #expect(table.isEmpty == false)  // section headers only; every key is commented out
        for entry in ConfigurationSchema.entries {
            #expect(text.contains(entry.environmentName))
        }
    }
}
