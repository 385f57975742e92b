public import Hummingbird
import Foundation
import PorticoCore
import PorticoContent
import PorticoCache
import PorticoStore

/// Images and files at content-hash URLs (`/_blob/<sha256>/<name>`), and the theme's
/// stylesheet (`/_theme/<hash>/style.css`). Both may be cached for a year: a change of
/// content is a change of URL.
extension PublicSite {

    public func blob(_ request: Request, context: PorticoRequestContext, fileIO: FileIO) async throws -> Response {
        let site = try context.requireSite()
        let segments = try ContentPath.segments(of: request.uri.path)
        guard segments.count == 3, segments[0] == "_blob", BlobReference.isValidDigest(segments[1]) else {
            throw PorticoError.notFound("blob")
        }
        let sha = segments[1]
        let content = try await store.content(of: site.id)
        let now = clock.now()

        // The blob is served only if some item holding it (or the site logo) may be seen.
        var reference: BlobReference?
        if site.settings.logo?.sha256 == sha {
            reference = site.settings.logo
        } else {
            for item in try await content.items(matching: ItemQuery(blobSHA256: sha, limit: 20)) {
                guard let ancestors = try? await orderedAncestors(of: item, content: content) else { continue }
                let roles = try await self.roles(context, site: site, at: item, ancestors: ancestors)
                if policy.allows(context.principal, .view, item: item, ancestors: ancestors, roles: roles, at: now) {
                    reference = item.blob
                    break
                }
            }
        }
        guard let reference, let file = content.blobs.localFile(sha) else { throw PorticoError.notFound("blob") }
        let size = Int(reference.size)
        let etag = "\"\(sha)\""
        let isPublic = context.principal == .anonymous
        var headers: HTTPFields = [
            .contentType: reference.mimeType,
            .eTag: etag,
            .acceptRanges: "bytes",
            .cacheControl: isPublic ? cacheControl.asset : "private, no-store",
            .contentDisposition: Self.disposition(reference),
            .init("X-Content-Type-Options")!: "nosniff",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        // A range applies only if the client's copy is this exact blob (If-Range).
        let ifRangeOK = request.headers[.ifRange].map { $0 == etag } ?? true
        if let rangeHeader = request.headers[.range], ifRangeOK {
            switch ByteRange.parse(rangeHeader, size: size) {
            case .satisfiable(let range):
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
                let body = try await fileIO.loadFile(path: file.path, range: range, context: context)
                return Response(status: .partialContent, headers: headers, body: body)
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .ignored:
                break
            }
        }
        let body = try await fileIO.loadFile(path: file.path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    static func disposition(_ blob: BlobReference) -> String {
        let inline = blob.mimeType.hasPrefix("image/") || blob.mimeType == "application/pdf"
        let ascii = String(blob.filename.unicodeScalars.map { $0.isASCII && $0 != "\\" && $0 != ";" ? Character($0) : "_" })
        let encoded = blob.filename.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? "file"
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    public func stylesheet(_ request: Request) -> Response {
        let current = request.uri.path.hasPrefix("/_theme/\(theme.stylesheetHash)/")
        var buffer = ByteBuffer()
        buffer.writeString(theme.stylesheet)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/css; charset=utf-8",
                // An old hash gets today's stylesheet, but must not keep it for a year.
                .cacheControl: current ? cacheControl.asset : "no-cache",
                .eTag: "\"\(theme.stylesheetHash)\"",
            ],
            body: .init(byteBuffer: buffer)
        )
    }
}

/// A parsed `Range` header for one byte range (RFC 9110 §14). Several ranges are not
/// supported and are ignored: the whole file is sent, which the RFC allows.
enum ByteRange: Equatable {
    case satisfiable(ClosedRange<Int>)
    case unsatisfiable
    case ignored

    static func parse(_ header: String, size: Int) -> ByteRange {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes=") else { return .ignored }
        let spec = value.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .ignored }
        let startText = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let endText = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        guard size > 0 else { return .unsatisfiable }
        if startText.isEmpty {
            guard let suffix = Int(endText), suffix > 0 else { return endText.isEmpty ? .ignored : .unsatisfiable }
            return .satisfiable(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(startText), start >= 0 else { return .ignored }
        guard start < size else { return .unsatisfiable }
        if endText.isEmpty { return .satisfiable(start...(size - 1)) }
        guard let end = Int(endText), end >= start else { return .ignored }
        return .satisfiable(start...min(end, size - 1))
    }
}
