import Foundation

/// The `.portico-bake` file at the top of every bake. Its presence is what allows a later bake
/// to replace the folder; its contents say what was baked and for which public address.
struct BakeMarker: Codable, Equatable {
    static let fileName = ".portico-bake"
    static let currentFormat = 1

    var format: Int = BakeMarker.currentFormat
    var site: String
    /// When the bake was made (RFC 3339).
    var baked: String
    /// The public root URL the bake was made for (ends with `/`).
    var baseURL: String

    /// The URL path of the bake's root (`/` or `/prefix/`): the only links that are not
    /// relative, those of `404.html`, start with it.
    var basePath: String {
        guard let components = URLComponents(string: baseURL), !components.percentEncodedPath.isEmpty else { return "/" }
        let path = components.percentEncodedPath
        return path.hasSuffix("/") ? path : path + "/"
    }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }

    /// The marker of the bake in `folder`, or nil when there is none or it cannot be read.
    static func read(in folder: URL) -> BakeMarker? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(BakeMarker.self, from: data)
    }
}
