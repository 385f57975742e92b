#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A TCP socket that Portico listens on, made by hand rather than by the HTTP framework.
///
/// Two reasons: the socket must not accept connections before the node is ready (it is bound
/// early but `listen` is called only once migrations ran and the store answers), and the
/// supervisor of `serve --workers N` binds one socket and hands the same descriptor to every
/// worker, so that a worker that stops accepting leaves queued connections to the others
/// (closing one of several SO_REUSEPORT sockets would reset the connections queued on it).
/// SO_REUSEPORT is deliberately not set: a second, unrelated server started on the same port
/// must fail with "address in use", not silently take half the traffic.
public struct ListeningSocket: Sendable {
    public let descriptor: Int32

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Adopts a descriptor inherited from a parent process.
    public init(inherited descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Creates a socket bound to `host:port` (numeric IPv4 or IPv6 address, or "localhost").
    /// It does not accept connections until `listen()`.
    public static func bind(host: String, port: Int) throws -> ListeningSocket {
        let address = host == "localhost" ? "127.0.0.1" : host
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeBytes(of: v4) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeBytes(of: v6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw Failure(description: "cannot listen on \(host): give a numeric address such as 127.0.0.1, 0.0.0.0 or ::")
        }
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot listen on \(host):\(port): \(reason)")
        }
        return ListeningSocket(inherited: fd)
    }

    /// Starts accepting connections (idempotent: several workers may call it on one socket).
    public func listen(backlog: Int32 = 1024) throws {
        guard Glibc.listen(descriptor, backlog) == 0 else {
            throw Failure(description: "cannot listen: \(String(cString: strerror(errno)))")
        }
    }

    /// The port the socket is bound to (useful after binding port 0).
    public var port: Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard ok == 0 else { return 0 }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port)) }
        case AF_INET6:
            return withUnsafeBytes(of: storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port)) }
        default:
            return 0
        }
    }

    /// Whether the descriptor is a socket at all (a worker checks what it inherited).
    public var isSocket: Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == Int32(SOCK_STREAM.rawValue)
    }
}
