#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the process costs, read from `/proc` when metrics are scraped: resident memory (the
/// supervisor recycles a worker that leaks) and open file descriptors (every open site
/// database costs a few). Linux only; elsewhere the values are unknown (nil).
enum ProcessStatistics {
    /// Whether this platform can report them at all.
    static var isAvailable: Bool {
        #if os(Linux)
        true
        #else
        false
        #endif
    }

    /// `VmRSS` from `/proc/self/status`, in bytes.
    static func residentMemoryBytes() -> Int? {
        #if os(Linux)
        guard let status = readSmallFile("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            // "VmRSS:     123456 kB"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
        #else
        return nil
        #endif
    }

    /// The entries of `/proc/self/fd`, not counting the descriptor used to list them.
    static func openFileDescriptors() -> Int? {
        #if os(Linux)
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        // Only the name's first byte is read, in place: copying `d_name` (a 256-byte field)
        // out of an entry would read past the end of readdir's buffer for its last entries,
        // whose names are short (AddressSanitizer: heap-buffer-overflow).
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let entry = readdir(directory) {
            let isDot = UnsafeRawPointer(entry).load(fromByteOffset: nameOffset, as: UInt8.self) == UInt8(ascii: ".")
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// The whole of a small `/proc` file (their size is reported as 0, so read to the end).
    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    #endif
}
