import Atomics
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A broadcast log shared by the worker processes of one node, in a memory-mapped file.
///
/// Each worker keeps its own response cache, so a write answered by one worker must make the
/// others drop what it changed before any request that starts after the write's response.
/// The writer appends a message and bumps a sequence number in shared memory before its
/// response is sent; every worker compares that number with the last one it applied at the
/// start of each request (one atomic load) and applies what is new. A worker that falls more
/// than a ring's length behind is told so and drops its whole cache instead.
///
/// Several nodes on PostgreSQL will use LISTEN/NOTIFY behind the same `ClusterBus` protocol.
public final class SharedMemoryBus: ClusterBus, @unchecked Sendable {
    static let magic: UInt64 = 0x504F_5254_4943_4F31  // "PORTICO1"
    static let headerSize = 4096
    static let slotSize = 4096
    static let slotCount = 2048
    static let slotHeader = 12  // UInt64 sequence marker, UInt32 length
    static var fileSize: Int { headerSize + slotSize * slotCount }

    private let descriptor: Int32
    private let base: UnsafeMutableRawPointer
    private let sequence: UnsafeAtomic<UInt64>
    /// The sequence number up to which this process applied messages.
    private let applied: Atomic<UInt64>
    private let reading = Mutex(())

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates (or empties) the bus file; the supervisor does this before starting workers.
    public static func create(at path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(fileSize)) == 0 else { throw Failure(description: "cannot size \(path): \(String(cString: strerror(errno)))") }
        var magic = Self.magic
        guard pwrite(fd, &magic, 8, 0) == 8 else { throw Failure(description: "cannot write \(path)") }
    }

    /// Maps an existing bus file. Messages already in it are considered applied.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard lseek(fd, 0, SEEK_END) == off_t(Self.fileSize) else {
            close(fd)
            throw Failure(description: "\(path) is not a Portico cluster bus (wrong size)")
        }
        guard let mapped = mmap(nil, Self.fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            close(fd)
            throw Failure(description: "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        guard mapped.load(as: UInt64.self) == Self.magic else {
            munmap(mapped, Self.fileSize)
            close(fd)
            throw Failure(description: "\(path) is not a Portico cluster bus")
        }
        descriptor = fd
        base = mapped
        sequence = UnsafeAtomic(at: (mapped + 8).assumingMemoryBound(to: UInt64.AtomicRepresentation.self))
        applied = Atomic(sequence.load(ordering: .acquiring))
    }

    deinit {
        munmap(base, Self.fileSize)
        close(descriptor)
    }

    public func publish(_ payload: [UInt8]) throws {
        guard payload.count <= Self.slotSize - Self.slotHeader else {
            throw Failure(description: "cluster message too large (\(payload.count) bytes)")
        }
        // Writers take a file lock: the kernel releases it if a worker dies holding it.
        guard flock(descriptor, LOCK_EX) == 0 else { throw Failure(description: "cannot lock the cluster bus") }
        defer { flock(descriptor, LOCK_UN) }
        let number = sequence.load(ordering: .acquiring)
        let slot = base + Self.headerSize + Int(number % UInt64(Self.slotCount)) * Self.slotSize
        slot.storeBytes(of: 0, as: UInt64.self)
        slot.storeBytes(of: UInt32(payload.count), toByteOffset: 8, as: UInt32.self)
        payload.withUnsafeBytes { (slot + Self.slotHeader).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        slot.storeBytes(of: number + 1, as: UInt64.self)
        sequence.store(number + 1, ordering: .releasing)
    }

    public var hasNews: Bool {
        sequence.load(ordering: .acquiring) != applied.load(ordering: .relaxed)
    }

    public func receive() -> ClusterReceipt {
        reading.withLock { _ in
            let from = applied.load(ordering: .relaxed)
            let upTo = sequence.load(ordering: .acquiring)
            guard upTo != from else { return .messages([]) }
            let ring = UInt64(Self.slotCount)
            guard upTo > from, upTo - from < ring else {
                applied.store(upTo, ordering: .releasing)
                return .lost
            }
            var messages: [[UInt8]] = []
            for number in from..<upTo {
                let slot = base + Self.headerSize + Int(number % ring) * Self.slotSize
                let length = Int(slot.load(fromByteOffset: 8, as: UInt32.self))
                guard slot.load(as: UInt64.self) == number + 1, length <= Self.slotSize - Self.slotHeader else {
                    applied.store(upTo, ordering: .releasing)
                    return .lost
                }
                messages.append(Array(UnsafeRawBufferPointer(start: slot + Self.slotHeader, count: length)))
            }
            // A writer that lapped us while we copied may have overwritten a slot.
            Atomics.atomicMemoryFence(ordering: Atomics.AtomicUpdateOrdering.sequentiallyConsistent)
            if sequence.load(ordering: .acquiring) - from >= ring {
                applied.store(upTo, ordering: .releasing)
                return .lost
            }
            applied.store(upTo, ordering: .releasing)
            return .messages(messages)
        }
    }
}
