/// The list of configuration keys: their type, range, default and meaning. Loading, `portico
/// config check`, `portico config defaults` and the documentation all follow this one list.
public enum ConfigurationSchema {
    /// A value as found: in a TOML file, or as environment text.
    public enum Input: Sendable {
        case toml(TOMLValue)
        case text(String)
    }

    public struct ValueError: Error, Sendable {
        public var reason: String
    }

    public struct Entry: Sendable {
        public let key: String
        public let help: String
        /// The default, as TOML text.
        public let defaultText: String
        let apply: @Sendable (Input, inout PorticoConfiguration, ConfigurationLoader.ReadFile) throws(ValueError) -> Void

        /// Why `text` is not a valid value for this key, or nil if it is.
        public func problem(with text: String) -> String? {
            var probe = PorticoConfiguration()
            do {
                try apply(.text(text), &probe, { _ in "" })
                return nil
            } catch {
                return error.reason
            }
        }

        /// `server.port` → `PORTICO_SERVER_PORT`.
        public var environmentName: String {
            "PORTICO_" + key.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined()
        }
    }

    public struct Secret: Sendable {
        public let fileKey: String
        public let environment: String
        let assign: @Sendable (inout PorticoConfiguration, String) -> Void
    }

    public static let sections: Set<String> = ["server", "storage", "uploads", "cache", "cache.control", "log", "monitor", "backup", "debug"]

    /// Secrets: never in the file itself (the key is refused there with a hint).
    public static let secrets: [String: Secret] = [
        "monitor.token": Secret(fileKey: "monitor.token_file", environment: "PORTICO_MONITOR_TOKEN") { $0.monitorToken = $1.trimming(" \n\r\t") },
    ]

    public static let entries: [Entry] = [
        integer("server.port", 0...65535, "The TCP port to listen on (0 picks a free one).", \.port),
        string("server.host", "The numeric address to listen on: 127.0.0.1 behind a local proxy, 0.0.0.0 or :: for all.", \.host),
        integer("server.workers", 0...256, "Worker processes under a supervisor (0: one process, no supervisor).", \.workers),
        integer("server.drain_timeout", 0...3600, "Seconds requests in flight may take to finish on shutdown.", \.drainTimeout),
        integer("server.worker_memory_limit", 0...1_048_576, "Megabytes of resident memory after which a worker is replaced (0: no limit).", \.workerMemoryLimit),
        integer("server.health_interval", 1...3600, "Seconds between the supervisor's health checks of each worker.", \.healthInterval),
        boolean("server.behind_tls", "Whether clients reach Portico over HTTPS through a proxy (cookies get Secure).", \.behindTLS),
        string("storage.data", "The data folder: platform database, one folder per site, blobs.", \.dataFolder),
        integer("storage.max_open_sites", 1...100_000, "Site databases kept open at once (least recently used are closed).", \.maxOpenSites),
        integer("storage.readers_per_site", 0...64, "Read connections per open site database; 0 means one connection for reads and writes (fewest files, quickest to open).", \.readersPerSite),
        optionalString("storage.theme", "A theme folder overriding the built-in theme.", \.theme),
        boolean("storage.create_demo", "Create the demo site on first run.", \.createDemo),
        integer("uploads.limit", 1...4096, "The largest upload, in megabytes.", \.uploadLimit),
        integer("cache.size", 0...65536, "Megabytes of memory for the response cache (0 turns it off).", \.cacheSize),
        integer("cache.page_data_size", 0...65536, "Megabytes for public pages' first reads (item, ancestors, navigation, a small folder's children), reused until their site changes (0 turns it off).", \.pageDataSize),
        integer("cache.max_renders", 1...10_000, "Renders in flight at once; more anonymous requests queue, then get the panic page.", \.maxRenders),
        integer("cache.editor_reserve", 0...9_999, "Render slots only logged-in editors may use.", \.editorReserve),
        integer("cache.queue_length", 0...100_000, "Anonymous requests that may wait for a render slot.", \.queueLength),
        integer("cache.queue_wait", 0...60_000, "Milliseconds a request waits for a slot before the panic page.", \.queueWait),
        integer("cache.fresh_for", 0...86_400, "Seconds a cached response is served without re-rendering (writes evict at once anyway).", \.freshFor),
        integer("cache.grace", 0...86_400, "Seconds past that a stale response may be served while one request re-renders.", \.grace),
        stringList("cache.purge", "External caches (Varnish) to purge on every write, e.g. [\"http://127.0.0.1:6081/\"].", \.purge),
        boolean("cache.surrogate_keys", "Send each cached page's dependency keys as xkey and Surrogate-Key headers, for an external cache in front (always on when cache.purge is set).", \.surrogateKeys),
        headerValue("cache.control.page", "Cache-Control of public pages.", \.pageCacheControl),
        headerValue("cache.control.feed", "Cache-Control of feeds, sitemap and robots.txt.", \.feedCacheControl),
        headerValue("cache.control.asset", "Cache-Control of blobs and theme files at content-hash URLs.", \.assetCacheControl),
        choice("log.level", ["trace", "debug", "info", "notice", "warning", "error", "critical"], "Log level.", \.logLevel),
        string("log.access", "Where the access log goes: \"stdout\", \"off\", or a file path.", \.accessLog),
        secretFile("monitor.token_file", "A file holding the token that lets non-loopback clients read /metrics and /_monitor/* (or set PORTICO_MONITOR_TOKEN).") { $0.monitorToken = $1 },
        optionalString("backup.folder", "Where backups are written (checked by `portico check`).", \.backupFolder),
        integer("backup.max_age", 1...8760, "Hours after which the newest backup counts as too old.", \.backupMaxAge),
        integer("debug.render_delay", 0...60_000, "Milliseconds added to every cached render, to demonstrate single flight, overload and draining. Keep 0 in production.", \.renderDelay),
    ]

    public static func entry(_ key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// The closest known key, for "did you mean".
    public static func suggestion(for key: String) -> String? {
        let candidates = entries.map(\.key) + Array(secrets.values.map(\.fileKey)) + ["extends"]
        let name = key.split(separator: ".").last.map(String.init) ?? key
        let scored = candidates.map { candidate -> (String, Int) in
            let candidateName = candidate.split(separator: ".").last.map(String.init) ?? candidate
            return (candidate, min(distance(key, candidate), distance(name, candidateName) + 1))
        }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    /// A TOML file listing every key at its default, commented out, with its meaning.
    public static func defaultsFile() -> String {
        var lines = [
            "# Portico configuration: every key with its default (see docs/configuration.md).",
            "# Uncomment what you change. Another file may start with: extends = \"base.toml\"",
        ]
        var section = ""
        for entry in entries {
            let parts = entry.key.split(separator: ".")
            let entrySection = parts.dropLast().joined(separator: ".")
            if entrySection != section {
                section = entrySection
                lines.append("")
                lines.append("[\(section)]")
            }
            lines.append("# \(entry.help) (env \(entry.environmentName))")
            lines.append("# \(parts.last ?? "") = \(entry.defaultText)")
        }
        return lines.joined(separator: "\n")
    }

    /// Rules between keys, checked after everything was applied.
    public static func checkConsistency(_ configuration: PorticoConfiguration, issues: inout [ConfigurationIssue]) {
        if configuration.editorReserve >= configuration.maxRenders {
            issues.append(.init(source: "configuration", line: nil, key: "cache.editor_reserve", reason: "must be less than cache.max_renders (\(configuration.maxRenders))"))
        }
        for target in configuration.purge where !(target.hasPrefix("http://") || target.hasPrefix("https://")) {
            issues.append(.init(source: "configuration", line: nil, key: "cache.purge", reason: "\(target) must be an http:// or https:// address"))
        }
    }

    // MARK: Entry builders

    static func integer(_ key: String, _ range: ClosedRange<Int>, _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, Int> & Sendable) -> Entry {
        Entry(key: key, help: help, defaultText: String(PorticoConfiguration()[keyPath: path])) { input, configuration, _ throws(ValueError) in
            let value: Int?
            switch input {
            case .toml(.integer(let number)): value = Int(exactly: number)
            case .toml(let other): throw ValueError(reason: "must be an integer, not a \(other.typeName)")
            case .text(let text): value = Int(text.trimming(" "))
            }
            guard let value else { throw ValueError(reason: "must be an integer") }
            guard range.contains(value) else { throw ValueError(reason: "must be between \(range.lowerBound) and \(range.upperBound), not \(value)") }
            configuration[keyPath: path] = value
        }
    }

    static func string(_ key: String, _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, String> & Sendable) -> Entry {
        Entry(key: key, help: help, defaultText: quoted(PorticoConfiguration()[keyPath: path])) { input, configuration, _ throws(ValueError) in
            configuration[keyPath: path] = try text(input)
        }
    }

    /// A string sent as an HTTP header value: printable ASCII only, so a configuration can
    /// never inject a header or break a response.
    static func headerValue(_ key: String, _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, String> & Sendable) -> Entry {
        Entry(key: key, help: help, defaultText: quoted(PorticoConfiguration()[keyPath: path])) { input, configuration, _ throws(ValueError) in
            let value = try text(input)
            guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw ValueError(reason: "must be a non-empty header value of printable ASCII characters")
            }
            configuration[keyPath: path] = value
        }
    }

    static func optionalString(_ key: String, _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, String?> & Sendable) -> Entry {
        Entry(key: key, help: help, defaultText: "(unset)") { input, configuration, _ throws(ValueError) in
            configuration[keyPath: path] = try text(input)
        }
    }

    static func boolean(_ key: String, _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, Bool> & Sendable) -> Entry {
        Entry(key: key, help: help, defaultText: String(PorticoConfiguration()[keyPath: path])) { input, configuration, _ throws(ValueError) in
            switch input {
            case .toml(.boolean(let value)): configuration[keyPath: path] = value
            case .toml(let other): throw ValueError(reason: "must be true or false, not a \(other.typeName)")
            case .text(let text):
                switch text.lowercased() {
                case "true", "1", "yes", "on": configuration[keyPath: path] = true
                case "false", "0", "no", "off": configuration[keyPath: path] = false
                default: throw ValueError(reason: "must be true or false")
                }
            }
        }
    }

    static func choice(_ key: String, _ choices: [String], _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, String> & Sendable) -> Entry {
        Entry(key: key, help: help + " One of " + choices.joined(separator: ", ") + ".", defaultText: quoted(PorticoConfiguration()[keyPath: path])) { input, configuration, _ throws(ValueError) in
            let value = try text(input)
            guard choices.contains(value) else { throw ValueError(reason: "must be one of \(choices.joined(separator: ", ")), not \"\(value)\"") }
            configuration[keyPath: path] = value
        }
    }

    static func stringList(_ key: String, _ help: String, _ path: any WritableKeyPath<PorticoConfiguration, [String]> & Sendable) -> Entry {
        Entry(key: key, help: help, defaultText: "[]") { input, configuration, _ throws(ValueError) in
            switch input {
            case .toml(.array(let values)):
                var strings: [String] = []
                for value in values {
                    guard let string = value.stringValue else { throw ValueError(reason: "must be a list of strings") }
                    strings.append(string)
                }
                configuration[keyPath: path] = strings
            case .toml(let other): throw ValueError(reason: "must be a list of strings, not a \(other.typeName)")
            case .text(let text): configuration[keyPath: path] = text.split(separator: ",").map { String($0).trimming(" ") }.filter { !$0.isEmpty }
            }
        }
    }

    static func secretFile(_ key: String, _ help: String, _ assign: @escaping @Sendable (inout PorticoConfiguration, String) -> Void) -> Entry {
        Entry(key: key, help: help, defaultText: "(unset)") { input, configuration, readFile throws(ValueError) in
            let path = try text(input)
            let secret: String
            do { secret = try readFile(path) } catch { throw ValueError(reason: "cannot read \(path)") }
            let trimmed = secret.trimming(" \n\r\t")
            guard trimmed.count >= 16 else { throw ValueError(reason: "\(path) must hold a token of at least 16 characters") }
            assign(&configuration, trimmed)
        }
    }

    private static func text(_ input: Input) throws(ValueError) -> String {
        switch input {
        case .toml(.string(let value)): return value
        case .toml(let other): throw ValueError(reason: "must be a string, not a \(other.typeName)")
        case .text(let text): return text
        }
    }

    private static func quoted(_ text: String) -> String { "\"\(text)\"" }

    /// Levenshtein distance, for suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension String {
    /// Foundation-free trimming for PorticoCore.
    func trimming(_ set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
