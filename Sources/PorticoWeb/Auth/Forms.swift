import Foundation
import Hummingbird
import PorticoCore

/// A submitted form: URL-encoded or multipart, fields in order, files apart.
struct FormData: Sendable {
    struct File: Sendable {
        var filename: String
        var data: Data
    }

    var fields: [(name: String, value: String)] = []
    var files: [String: File] = [:]

    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    static let maximumFormSize = 2 * 1024 * 1024

    /// Reads and parses the request body. Throws `PorticoError.badRequest` for a malformed
    /// body and `.invalid(field: "file", …)` with "too large" when over `limit`.
    static func read(_ request: Request, limit: Int) async throws -> FormData {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw FormError.tooLarge(limit: limit)
        }
        let bytes = Array(buffer.readableBytesView)
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Multipart.boundary(from: contentType) else { throw PorticoError.badRequest("multipart form without boundary") }
            return try Multipart.parse(bytes, boundary: boundary)
        }
        return parseURLEncoded(String(decoding: bytes, as: UTF8.self))
    }

    static func parseURLEncoded(_ text: String) -> FormData {
        var form = FormData()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            form.fields.append((name, value))
        }
        return form
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return ContentPath.percentDecode(spaced) ?? spaced
    }
}

/// An upload or form over the size limit.
enum FormError: Error {
    case tooLarge(limit: Int)
}

/// A small multipart/form-data parser (RFC 7578): enough for forms with file fields.
enum Multipart {
    static func boundary(from contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.utf8.count > 200 ? nil : value
            }
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws -> FormData {
        let delimiter = Array(("--" + boundary).utf8)
        var form = FormData()
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { throw PorticoError.badRequest("malformed multipart body") }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            // Skip the CRLF after the delimiter.
            if partStart + 1 < body.count, body[partStart] == 13, body[partStart + 1] == 10 { partStart += 2 }
            var partEnd = end
            if partEnd >= 2, body[partEnd - 2] == 13, body[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart <= partEnd else { continue }
            let part = Array(body[partStart..<partEnd])
            guard let split = find([13, 10, 13, 10], in: part, from: 0) else { throw PorticoError.badRequest("malformed multipart part") }
            let headerText = String(decoding: part[0..<split], as: UTF8.self)
            let content = Array(part[(split + 4)...])
            var name: String?
            var filename: String?
            for line in headerText.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                name = parameter("name", in: line)
                filename = parameter("filename", in: line)
            }
            guard let name else { continue }
            if let filename {
                if !filename.isEmpty || !content.isEmpty { form.files[name] = FormData.File(filename: filename, data: Data(content)) }
            } else {
                form.fields.append((name, String(decoding: content, as: UTF8.self)))
            }
        }
        return form
    }

    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == key {
                var value = String(pair[1])
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return value
            }
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var match = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
