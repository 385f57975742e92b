import Foundation
import Hummingbird
import PorticoCore

/// A multipart form whose files were written to disk as they arrived.
struct SpooledForm: Sendable {
    struct File: Sendable {
        var filename: String
        var url: URL
        var size: Int
    }

    var fields: [(name: String, value: String)] = []
    var files: [String: File] = [:]

    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The text fields alone, for checks written against `FormData` (CSRF).
    var formData: FormData { FormData(fields: fields) }
}

/// Reads a `multipart/form-data` body chunk by chunk and writes file parts straight into
/// `folder`, so a site archive of hundreds of megabytes is never held in memory (the editor's
/// `FormData` reads whole bodies and suits uploads of a few megabytes). Text fields stay small:
/// a field over 64 KB, headers over 16 KB or more than 100 parts are refused as a bad request.
struct MultipartSpool {
    static let maximumFieldSize = 64 * 1024
    static let maximumHeaderSize = 16 * 1024
    static let maximumParts = 100

    /// Reads `request`'s body into `folder` (which the caller creates and removes). Throws
    /// `FormError.tooLarge` past `limit` bytes and `PorticoError.badRequest` for a body that
    /// is not a well-formed multipart form.
    static func read(_ request: Request, limit: Int, into folder: URL) async throws -> SpooledForm {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw PorticoError.badRequest("this form must be sent as multipart/form-data")
        }
        guard let boundary = Multipart.boundary(from: contentType) else { throw PorticoError.badRequest("multipart form without boundary") }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw FormError.tooLarge(limit: limit) }
        var spool = MultipartSpool(boundary: boundary, folder: folder)
        defer { spool.closeFile() }
        var received = 0
        for try await buffer in request.body {
            received += buffer.readableBytes
            guard received <= limit else { throw FormError.tooLarge(limit: limit) }
            try spool.feed(Array(buffer.readableBytesView))
        }
        return try spool.finish()
    }

    private enum State {
        case preamble, afterDelimiter, headers, body, done
    }

    private enum Sink {
        case field(name: String, bytes: [UInt8])
        case file(name: String, filename: String, url: URL, handle: FileHandle, size: Int)
        case ignored
    }

    /// Every delimiter is `CRLF--boundary`; the body is read as if it began with a CRLF, so the
    /// first delimiter needs no special case.
    private let delimiter: [UInt8]
    private let folder: URL
    private var pending: [UInt8] = [13, 10]
    private var state = State.preamble
    private var sink = Sink.ignored
    private var parts = 0
    private var form = SpooledForm()

    init(boundary: String, folder: URL) {
        delimiter = Array(("\r\n--" + boundary).utf8)
        self.folder = folder
    }

    mutating func feed(_ bytes: [UInt8]) throws {
        pending += bytes
        while try step() {}
    }

    mutating func finish() throws -> SpooledForm {
        guard state == .done else { throw PorticoError.badRequest("the multipart body ends early") }
        return form
    }

    /// Advances as far as the pending bytes allow; false when more bytes are needed.
    private mutating func step() throws -> Bool {
        switch state {
        case .preamble:
            guard let found = Multipart.find(delimiter, in: pending, from: 0) else {
                keepTail()
                return false
            }
            pending.removeFirst(found + delimiter.count)
            state = .afterDelimiter
            return true
        case .afterDelimiter:
            guard pending.count >= 2 else { return false }
            if pending[0] == UInt8(ascii: "-"), pending[1] == UInt8(ascii: "-") {
                pending.removeAll()
                state = .done
                return false
            }
            guard pending[0] == 13, pending[1] == 10 else { throw PorticoError.badRequest("malformed multipart delimiter") }
            pending.removeFirst(2)
            state = .headers
            return true
        case .headers:
            guard let end = Multipart.find([13, 10, 13, 10], in: pending, from: 0) else {
                if pending.count > Self.maximumHeaderSize { throw PorticoError.badRequest("multipart headers too large") }
                return false
            }
            parts += 1
            guard parts <= Self.maximumParts else { throw PorticoError.badRequest("too many parts in the form") }
            try open(headers: String(decoding: pending[0..<end], as: UTF8.self))
            pending.removeFirst(end + 4)
            state = .body
            return true
        case .body:
            if let found = Multipart.find(delimiter, in: pending, from: 0) {
                try write(pending[0..<found])
                try close()
                pending.removeFirst(found + delimiter.count)
                state = .afterDelimiter
                return true
            }
            let keep = min(pending.count, delimiter.count - 1)
            try write(pending[0..<(pending.count - keep)])
            pending.removeFirst(pending.count - keep)
            return false
        case .done:
            pending.removeAll()  // the epilogue means nothing
            return false
        }
    }

    /// Keeps only what could be the start of a delimiter split across chunks.
    private mutating func keepTail() {
        let keep = min(pending.count, delimiter.count - 1)
        pending.removeFirst(pending.count - keep)
    }

    private mutating func open(headers: String) throws {
        var name: String?
        var filename: String?
        for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            name = Multipart.parameter("name", in: line)
            filename = Multipart.parameter("filename", in: line)
        }
        guard let name else {
            sink = .ignored
            return
        }
        guard let filename else {
            sink = .field(name: name, bytes: [])
            return
        }
        // Stored under a name of ours: the client's file name is only a label.
        let url = folder.appendingPathComponent("upload-\(parts)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = FileHandle(forWritingAtPath: url.path) else {
            throw PorticoError.storage("cannot write an upload to \(folder.path)")
        }
        sink = .file(name: name, filename: filename, url: url, handle: handle, size: 0)
    }

    private mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        switch sink {
        case .field(let name, var value):
            guard value.count + bytes.count <= Self.maximumFieldSize else { throw PorticoError.badRequest("the form field “\(name)” is too long") }
            value += bytes
            sink = .field(name: name, bytes: value)
        case .file(let name, let filename, let url, let handle, let size):
            do {
                try handle.write(contentsOf: Data(bytes))
            } catch {
                throw PorticoError.storage("cannot write an upload to \(folder.path): \(error.localizedDescription)")
            }
            sink = .file(name: name, filename: filename, url: url, handle: handle, size: size + bytes.count)
        case .ignored:
            break
        }
    }

    private mutating func close() throws {
        switch sink {
        case .field(let name, let bytes):
            form.fields.append((name, String(decoding: bytes, as: UTF8.self)))
        case .file(let name, let filename, let url, let handle, let size):
            try? handle.close()
            // A file input left empty sends an empty file name and no bytes: no file was chosen.
            if !filename.isEmpty || size > 0 {
                form.files[name] = SpooledForm.File(filename: filename, url: url, size: size)
            }
        case .ignored:
            break
        }
        sink = .ignored
    }

    /// Closes a file left open by a body that failed half way.
    mutating func closeFile() {
        if case .file(_, _, _, let handle, _) = sink { try? handle.close() }
        sink = .ignored
    }
}
