import ArgumentParser
import Foundation
import Logging
import PorticoCore
import PorticoStore
import PorticoWeb

/// Options every command that touches data shares.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The data folder (created on first use).")
    var data: String = "./portico-data"

    @Option(name: .long, help: "A theme folder overriding the built-in theme.")
    var theme: String?

    var dataURL: URL { URL(fileURLWithPath: data, isDirectory: true).standardizedFileURL }

    /// Opens the store and wires the services; errors become one clear line.
    func services(logLevel: Logger.Level = .warning, uploadLimit: Int = 20 * 1024 * 1024, cache: CacheConfiguration = CacheConfiguration(), purgeTargets: [URL] = []) async throws -> PorticoServices {
        var logger = Logger(label: "portico")
        logger.logLevel = logLevel
        let store = try SQLiteContentStore(dataFolder: dataURL, logger: logger)
        let theme = try Theme(folder: theme.map { URL(fileURLWithPath: $0, isDirectory: true) })
        return try await PorticoServices(store: store, theme: theme, uploadLimit: uploadLimit, cache: cache, purgeTargets: purgeTargets, logger: logger)
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
