import ArgumentParser
import Foundation
import Logging
import PorticoCore
import PorticoStore
import PorticoWeb

/// Options every command that touches data shares: a configuration file, and the two keys
/// most often given on the command line.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "A configuration file (TOML; see docs/configuration.md). Default: $PORTICO_CONFIG, else none.")
    var config: String?

    @Option(name: .long, help: "The data folder (created on first use). Overrides storage.data; default ./portico-data.")
    var data: String?

    @Option(name: .long, help: "A theme folder overriding the built-in theme. Overrides storage.theme.")
    var theme: String?

    /// The configuration: defaults, then the file, then PORTICO_* variables, then these flags.
    func configuration() throws -> PorticoConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["PORTICO_CONFIG"]
        var configuration: PorticoConfiguration
        do {
            configuration = try ConfigurationLoader.forFiles.load(path: path, environment: environment)
        } catch {
            throw ConfigurationFailure(errors: error)
        }
        if let data { configuration.dataFolder = data }
        if let theme { configuration.theme = theme }
        return configuration
    }

    /// Opens the store and wires the services; errors become one clear line.
    func services(_ configuration: PorticoConfiguration? = nil, logLevel: Logger.Level = .warning, clusterBus: (any ClusterBus)? = nil,
                  accessLog: AccessLog = .disabled) async throws -> PorticoServices {
        let configuration = try configuration ?? self.configuration()
        var logger = Logger(label: "portico")
        logger.logLevel = logLevel
        let dataURL = URL(fileURLWithPath: configuration.dataFolder, isDirectory: true).standardizedFileURL
        let store = try SQLiteContentStore(dataFolder: dataURL, maximumOpenSites: configuration.maxOpenSites, readersPerSite: configuration.readersPerSite, logger: logger)
        let theme = try Theme(folder: configuration.theme.map { URL(fileURLWithPath: $0, isDirectory: true) })
        let cache = CacheConfiguration(
            enabled: configuration.cacheSize > 0, capacityBytes: max(1, configuration.cacheSize) * 1024 * 1024,
            freshFor: TimeInterval(configuration.freshFor), grace: TimeInterval(configuration.grace),
            maximumRenders: configuration.maxRenders, editorReserve: configuration.editorReserve,
            maximumQueue: configuration.queueLength, maximumWait: .milliseconds(configuration.queueWait),
            simulatedRenderTime: .milliseconds(configuration.renderDelay),
            cacheControl: CacheControlPolicy(page: configuration.pageCacheControl, feed: configuration.feedCacheControl, asset: configuration.assetCacheControl),
            pageDataBytes: configuration.pageDataSize * 1024 * 1024,
            surrogateKeys: configuration.sendsSurrogateKeys
        )
        return try await PorticoServices(
            store: store, theme: theme, uploadLimit: configuration.uploadLimit * 1024 * 1024, cache: cache,
            purgeTargets: configuration.purge.compactMap(URL.init(string:)), clusterBus: clusterBus, accessLog: accessLog,
            monitorToken: configuration.monitorToken,
            backupFolder: configuration.backupFolder.map { URL(fileURLWithPath: $0, isDirectory: true) }, logger: logger
        )
    }
}

extension ConfigurationLoader {
    /// Reads configuration files (and secret files) from disk.
    static let forFiles = ConfigurationLoader { path in
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count <= 1_048_576 else { throw ConfigurationFileTooLarge() }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigurationFileNotText() }
        return text
    }
}

struct ConfigurationFileTooLarge: Error, CustomStringConvertible {
    var description: String { "larger than 1 MB" }
}

struct ConfigurationFileNotText: Error, CustomStringConvertible {
    var description: String { "not UTF-8 text" }
}

/// Configuration problems, one `file:line: key: reason` per line.
struct ConfigurationFailure: Error, CustomStringConvertible {
    let errors: ConfigurationErrors
    var description: String {
        errors.issues.count == 1 ? errors.description : "the configuration has \(errors.issues.count) problems:\n" + errors.description
    }
}

/// The one place where errors become CLI messages: one line on stderr, exit status 1.
func runReportingErrors(_ work: () async throws -> Void) async throws {
    do {
        try await work()
    } catch let error as PorticoError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode.failure
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(describe(error))\n".utf8))
        throw ExitCode.failure
    }
}

func describe(_ error: any Error) -> String {
    let text = String(describing: error)
    if text.contains("Address already in use") { return "the address is already in use (is another server running on this port?)" }
    return text
}

/// Prints a line and flushes at once, so that a supervising process or test sees it.
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
