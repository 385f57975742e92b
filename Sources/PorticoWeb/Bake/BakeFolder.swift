#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where a bake is written, and how it replaces the previous one without ever leaving half a
/// bake at the target.
///
/// Everything is written into a hidden staging folder next to the target (same file system,
/// so the final step is a rename), each file fsynced. Only a finished bake is moved into
/// place: on Linux by swapping the two folders in one `renameat2(RENAME_EXCHANGE)`, so the
/// target always holds a complete bake, old or new; elsewhere by two renames. The old bake is
/// then deleted. A target that holds anything but a previous bake is refused up front.
struct BakeFolder {
    let target: URL
    let staging: URL
    private var createdFolders: Set<String> = [""]
    /// Bytes of every file written, by path (a rewritten file counts once).
    private(set) var sizes: [String: Int] = [:]

    /// Checks `target` and creates the staging folder beside it.
    static func prepare(target requested: URL) throws(BakeError) -> BakeFolder {
        // A symbolic link (a common "current" pointer) is followed: its destination is replaced.
        let target = requested.standardizedFileURL.resolvingSymlinksInPath()
        try checkReplaceable(target)
        let parent = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(path: parent.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).baking-\(UUID().uuidString.prefix(8).lowercased())")
        guard mkdir(staging.path, 0o755) == 0 else {
            throw .fileSystem(path: staging.path, reason: "cannot create the staging folder (\(String(cString: strerror(errno))))")
        }
        return BakeFolder(target: target, staging: staging)
    }

    private init(target: URL, staging: URL) {
        self.target = target
        self.staging = staging
    }

    /// A target may be missing, an empty folder, or a previous bake.
    static func checkReplaceable(_ target: URL) throws(BakeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw .targetNotAFolder(target.path) }
        let contents: [String]
        do {
            contents = try FileManager.default.contentsOfDirectory(atPath: target.path)
        } catch {
            throw .fileSystem(path: target.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        guard contents.isEmpty || contents.contains(BakeMarker.fileName) else { throw .targetNotABake(target.path) }
    }

    /// Writes `bytes` to `file` in the staging folder, creating its folders; fsynced unless the
    /// file will be rewritten before the bake is installed.
    mutating func write(_ bytes: [UInt8], to file: BakeFile, sync: Bool = true) throws(BakeError) {
        try createFolders(for: file)
        let path = staging.path + "/" + file.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure(path, "cannot create the file") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                writeBytes(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw Self.failure(path, "cannot write the file") }
            written += result
        }
        if sync, fsync(descriptor) != 0 { throw Self.failure(path, "cannot flush the file to disk") }
        sizes[file.path] = bytes.count
    }

    /// Reads a file written earlier in this bake.
    func read(_ file: BakeFile) throws(BakeError) -> [UInt8] {
        let path = staging.path + "/" + file.path
        guard let data = FileManager.default.contents(atPath: path) else { throw Self.failure(path, "cannot read the file back") }
        return [UInt8](data)
    }

    private mutating func createFolders(for file: BakeFile) throws(BakeError) {
        var relative = ""
        for segment in file.segments.dropLast() {
            relative += relative.isEmpty ? segment : "/" + segment
            guard !createdFolders.contains(relative) else { continue }
            let path = staging.path + "/" + relative
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw Self.failure(path, "cannot create the folder") }
            createdFolders.insert(relative)
        }
    }

    /// Moves the finished bake to the target, replacing what was there, and removes the old
    /// bake. The staging folder is gone afterwards.
    func install() throws(BakeError) {
        for folder in createdFolders { Self.syncFolder(staging.path + (folder.isEmpty ? "" : "/" + folder)) }
        // The target may have appeared (or changed) since the bake started.
        try Self.checkReplaceable(target)
        let parent = target.deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: target.path) {
            if Self.exchange(staging.path, target.path) {
                Self.syncFolder(parent)
                try? FileManager.default.removeItem(at: staging)  // now the previous bake
                return
            }
            // No atomic exchange here: move the old bake aside, then the new one in.
            let aside = staging.path + ".old"
            guard rename(target.path, aside) == 0 else { throw Self.failure(target.path, "cannot move the previous bake aside") }
            guard rename(staging.path, target.path) == 0 else {
                let failure = Self.failure(target.path, "cannot move the bake into place")
                _ = rename(aside, target.path)
                throw failure
            }
            Self.syncFolder(parent)
            try? FileManager.default.removeItem(atPath: aside)
        } else {
            guard rename(staging.path, target.path) == 0 else { throw Self.failure(target.path, "cannot move the bake into place") }
            Self.syncFolder(parent)
        }
    }

    /// Removes the staging folder after a failed bake; the target was never touched.
    func discard() {
        try? FileManager.default.removeItem(at: staging)
    }

    private static func failure(_ path: String, _ what: String) -> BakeError {
        .fileSystem(path: path, reason: "\(what) (\(String(cString: strerror(errno))))")
    }

    private static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// Swaps two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`, looked up at run
    /// time because Glibc's Swift module does not declare it). False when not available.
    private static func exchange(_ first: String, _ second: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        let renameExchange: UInt32 = 2
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        return renameat2(AT_FDCWD, first, AT_FDCWD, second, renameExchange) == 0
        #else
        return false
        #endif
    }
}

/// `write(2)`, named apart from `BakeFolder.write`, which would shadow it.
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
