import Foundation
import GenericCall
import PorticoTestSupport
import Testing

/// TLS handshakes against `openssl s_server`, a TLS peer that completes the handshake and then says nothing: the
/// server's name is checked, and a server that never sends HTTP/2 cannot hold a connect past its time limit.
@Suite(.serialized)
struct GRPCTLSPeerTests {
    /// `openssl s_server` on a free loopback port with the certificate naming only `peer.test`; stopped after `body`.
    static func withPeer(_ files: TestCertificates, _ body: (Endpoint) async throws -> Void) async throws {
        let port = try freePorts(1)[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", files.namedServerCertificate, "-key",
            files.namedServerKey, "-alpn", "h2", "-quiet",
        ]
        let input = Pipe()  // kept open: s_server ends when its standard input does
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // s_server does not end on SIGTERM while a client is connected.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let endpoint = Endpoint.tcp(host: "127.0.0.1", port: port)
        let deadline = ContinuousClock.now + .seconds(10)
        while !Self.accepts(port), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try await body(endpoint)
    }

    static func accepts(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func call(_ endpoint: Endpoint, tls: ClientTLSConfiguration) async -> CallError? {
        do {
            let client = try RPCClient(
                BackendConfiguration(
                    framing: .grpc, endpoints: [endpoint], connectTimeout: .milliseconds(200), rpcTimeout: .seconds(10),
                    retry: RetryPolicy(maxAttempts: 1), tls: tls))
            defer { Task { await client.shutdown() } }
            _ = try await client.call(RPCRequest(service: "echo.Echo", method: "Say", payload: []))
            return nil
        } catch {
            return error
        }
    }

    @Test("a certificate that does not name the server fails the connect with UNAVAILABLE saying so")
    func theServerNameIsChecked() async throws {
        let files = try TestCertificates()
        defer { files.remove() }
        try await Self.withPeer(files) { endpoint in
            let error = await Self.call(endpoint, tls: ClientTLSConfiguration(trustRoots: .pemFile(files.ca)))
            #expect(error?.code == .unavailable, "\(String(describing: error))")
            #expect(
                error?.message.contains("TLS handshake with \(endpoint) failed") == true, "\(String(describing: error))")
            #expect(
                error?.message.contains("the server's certificate does not name this server") == true,
                "\(String(describing: error))")
        }
    }

    @Test("a TLS server that never speaks HTTP/2 is a CONNECT_TIMEOUT after the handshake time limit, not a hang")
    func aSilentServerCannotHoldTheConnect() async throws {
        let files = try TestCertificates()
        defer { files.remove() }
        try await Self.withPeer(files) { endpoint in
            let start = ContinuousClock.now
            let error = await Self.call(
                endpoint, tls: ClientTLSConfiguration(trustRoots: .pemFile(files.ca), serverName: "peer.test"))
            let elapsed = ContinuousClock.now - start
            #expect(error?.code == .connectTimeout, "\(String(describing: error))")
            #expect(error?.message.contains("did not finish within") == true, "\(String(describing: error))")
            // The handshake gets at least 2 s (the connect timeout is 200 ms).
            #expect(elapsed >= .milliseconds(1900) && elapsed < .seconds(8), "\(elapsed)")
        }
    }
}
