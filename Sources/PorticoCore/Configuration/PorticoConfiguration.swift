/// Everything an operator may set for a node, with the documented defaults.
///
/// One TOML file per environment (which may `extends` a base file), then `PORTICO_*`
/// environment variables, then command-line flags, each overriding the one before. Secrets
/// never sit in the file: they come from a file named in it (`*_file`) or from the
/// environment. See docs/configuration.md; `ConfigurationSchema` is the single list of keys.
public struct PorticoConfiguration: Sendable, Equatable {
    // [server]
    public var host = "127.0.0.1"
    public var port = 8080
    public var workers = 0
    public var drainTimeout = 30
    public var workerMemoryLimit = 0
    public var healthInterval = 5
    /// Whether a TLS-terminating proxy is expected in front (sets Secure cookies; `portico check`).
    public var behindTLS = false
    // [storage]
    public var dataFolder = "./portico-data"
    public var maxOpenSites = 64
    public var readersPerSite = 2
    public var theme: String?
    public var createDemo = true
    // [uploads]
    public var uploadLimit = 20
    // [cache]
    public var cacheSize = 256
    public var pageDataSize = 32
    public var maxRenders = 16
    public var editorReserve = 4
    public var queueLength = 256
    public var queueWait = 500
    public var freshFor = 300
    public var grace = 60
    public var purge: [String] = []
    public var surrogateKeys = false

    /// Whether cached responses carry their keys as `xkey` / `Surrogate-Key` headers: asked for
    /// (`cache.surrogate_keys`), or needed because Portico purges an external cache by them.
    public var sendsSurrogateKeys: Bool { surrogateKeys || !purge.isEmpty }
    public var pageCacheControl = "public, max-age=0, must-revalidate"
    public var feedCacheControl = "public, max-age=300"
    public var assetCacheControl = "public, max-age=31536000, immutable"
    // [log]
    public var logLevel = "info"
    public var accessLog = "stdout"
    // [monitor]
    public var monitorToken: String?
    // [backup]
    public var backupFolder: String?
    public var backupMaxAge = 26
    // [debug]
    public var renderDelay = 0

    public init() {}
}

/// A problem in a configuration source, reported as `file:line: key: reason`.
public struct ConfigurationIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, or `environment` for a `PORTICO_*` variable.
    public var source: String
    public var line: Int?
    public var key: String
    public var reason: String

    public init(source: String, line: Int?, key: String, reason: String) {
        self.source = source
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let place = line.map { "\(source):\($0)" } ?? source
        return key.isEmpty ? "\(place): \(reason)" : "\(place): \(key): \(reason)"
    }
}

/// All the problems found; loading reports every one, not just the first.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]
    public init(issues: [ConfigurationIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Reads configuration files, following `extends`, and applies the environment.
public struct ConfigurationLoader: Sendable {
    /// Reads a file's text; throws if it cannot.
    public typealias ReadFile = @Sendable (String) throws -> String

    let readFile: ReadFile

    public init(readFile: @escaping ReadFile) {
        self.readFile = readFile
    }

    /// Loads `path` (and what it extends), then `environment`'s `PORTICO_*` variables.
    /// Throws `ConfigurationErrors` listing every problem.
    public func load(path: String?, environment: [String: String]) throws(ConfigurationErrors) -> PorticoConfiguration {
        var configuration = PorticoConfiguration()
        var issues: [ConfigurationIssue] = []
        if let path {
            var chain: [(path: String, table: TOMLTable)] = []
            collect(path: path, chain: &chain, issues: &issues, visiting: [])
            // The base first, so that each file overrides what it extends.
            for (file, table) in chain.reversed() {
                apply(table, prefix: "", file: file, to: &configuration, issues: &issues)
            }
        }
        applyEnvironment(environment, to: &configuration, issues: &issues)
        if issues.isEmpty { ConfigurationSchema.checkConsistency(configuration, issues: &issues) }
        guard issues.isEmpty else { throw ConfigurationErrors(issues: issues) }
        return configuration
    }

    private func collect(path: String, chain: inout [(path: String, table: TOMLTable)], issues: inout [ConfigurationIssue], visiting: [String]) {
        guard !visiting.contains(path) else {
            issues.append(.init(source: visiting.last ?? path, line: nil, key: "extends", reason: "\(path) extends itself (through \(visiting.joined(separator: " → ")))"))
            return
        }
        guard visiting.count < 10 else {
            issues.append(.init(source: path, line: nil, key: "extends", reason: "more than 10 files deep"))
            return
        }
        let text: String
        do {
            text = try readFile(path)
        } catch {
            issues.append(.init(source: path, line: nil, key: "", reason: "cannot read the file (\(error))"))
            return
        }
        let table: TOMLTable
        do {
            table = try TOML.parse(text)
        } catch {
            issues.append(.init(source: path, line: error.line, key: "", reason: "not valid TOML: \(error.message) (column \(error.column))"))
            return
        }
        chain.append((path, table))
        if let base = table["extends"] {
            guard let relative = base.stringValue, !relative.isEmpty else {
                issues.append(.init(source: path, line: table.line(of: "extends"), key: "extends", reason: "must be a file name (a string)"))
                return
            }
            collect(path: Self.resolve(relative, against: path), chain: &chain, issues: &issues, visiting: visiting + [path])
        }
    }

    /// A path relative to the folder of the file that names it.
    static func resolve(_ path: String, against file: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        guard let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }

    private func apply(_ table: TOMLTable, prefix: String, file: String, to configuration: inout PorticoConfiguration, issues: inout [ConfigurationIssue]) {
        for name in table.keys {
            let key = prefix.isEmpty ? name : "\(prefix).\(name)"
            let line = table.line(of: name)
            guard let value = table[name] else { continue }
            if key == "extends" { continue }
            if case .table(let inner) = value, ConfigurationSchema.sections.contains(key) {
                apply(inner, prefix: key, file: file, to: &configuration, issues: &issues)
                continue
            }
            if let secret = ConfigurationSchema.secrets[key] {
                issues.append(.init(source: file, line: line, key: key, reason: "secrets may not be written in a configuration file: use \(secret.fileKey) (a file holding it) or the environment variable \(secret.environment)"))
                continue
            }
            guard let entry = ConfigurationSchema.entry(key) else {
                var reason = ConfigurationSchema.sections.contains(key) ? "must be a table ([\(key)])" : "unknown key"
                if let suggestion = ConfigurationSchema.suggestion(for: key) { reason += "; did you mean '\(suggestion)'?" }
                issues.append(.init(source: file, line: line, key: key, reason: reason))
                continue
            }
            do {
                try entry.apply(.toml(value), &configuration, readFile)
            } catch {
                issues.append(.init(source: file, line: line, key: key, reason: error.reason))
            }
        }
    }

    private func applyEnvironment(_ environment: [String: String], to configuration: inout PorticoConfiguration, issues: inout [ConfigurationIssue]) {
        for (name, text) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("PORTICO_") {
            if let secret = ConfigurationSchema.secrets.values.first(where: { $0.environment == name }) {
                secret.assign(&configuration, text)
                continue
            }
            guard let entry = ConfigurationSchema.entries.first(where: { $0.environmentName == name }) else {
                // Other PORTICO_ variables (for tools and tests) are not configuration keys.
                continue
            }
            do {
                try entry.apply(.text(text), &configuration, readFile)
            } catch {
                issues.append(.init(source: "environment", line: nil, key: name, reason: error.reason))
            }
        }
    }
}
