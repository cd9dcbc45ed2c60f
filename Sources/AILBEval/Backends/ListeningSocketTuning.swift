import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Turns Nagle's algorithm off for a listening TCP socket of this process, found by its port.
///
/// FlyingFox writes a response's head and body in two writes and offers no hook on accepted sockets.
/// With Nagle on, the body of every keep-alive response after the first waits for the client's
/// delayed ACK: a flat ~40 ms per request on Linux, which would swamp every latency the mock reports.
/// Linux copies TCP_NODELAY from the listening socket to the sockets it accepts, so setting it once on the
/// listener (before the first connection) fixes every connection.
enum ListeningSocketTuning {
    /// Sets TCP_NODELAY on the listening socket bound to `port`; returns whether one was found.
    @discardableResult
    static func disableNagle(onListenerAt port: UInt16) -> Bool {
        #if os(Linux)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return false }
            for entry in entries {
                guard let fd = Int32(entry) else { continue }
                var address = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let named = withUnsafeMutablePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
                }
                guard named == 0, address.sin_family == sa_family_t(AF_INET), UInt16(bigEndian: address.sin_port) == port
                else { continue }
                var listening: Int32 = 0
                var size = socklen_t(MemoryLayout<Int32>.size)
                guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening != 0 else { continue }
                var on: Int32 = 1
                return setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0
            }
            return false
        #else
            return false
        #endif
    }
}
