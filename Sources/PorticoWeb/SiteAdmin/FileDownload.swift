import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import NIOPosix
import PorticoCore

/// A file sent as a download, then gone: it is opened, then its scratch folder is removed at
/// once. The open descriptor keeps the bytes readable until the response is sent, so nothing
/// is left on disk even when the browser goes away half way.
enum FileDownload {
    static let chunkSize = 256 * 1024

    static func attachment(_ file: URL, filename: String, contentType: String, scratch: ScratchFolder) throws -> Response {
        let handle: FileHandle
        let size: UInt64
        do {
            handle = try FileHandle(forReadingFrom: file)
            size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
        } catch {
            scratch.remove()
            throw PorticoError.storage("cannot read \(file.path): \(error.localizedDescription)")
        }
        scratch.remove()
        // Reads happen on NIO's blocking pool, not on the threads that serve requests.
        let body = ResponseBody(contentLength: Int(size)) { writer in
            defer { try? handle.close() }
            while let chunk = try await NIOThreadPool.singleton.runIfActive({ try handle.read(upToCount: chunkSize) }), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        let headers: HTTPFields = [
            .contentType: contentType,
            .contentDisposition: "attachment; filename=\"\(filename)\"",
            .cacheControl: "private, no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: body)
    }
}
