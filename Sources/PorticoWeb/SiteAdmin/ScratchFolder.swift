import Foundation
import PorticoCore

/// A private folder for one request's files (an uploaded archive, an export on its way to the
/// browser, the archive of a copy), removed when the request is done with it.
struct ScratchFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("portico-admin-\(UUID().uuidString.lowercased())", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PorticoError.storage("cannot create a temporary folder at \(url.path): \(error.localizedDescription)")
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
