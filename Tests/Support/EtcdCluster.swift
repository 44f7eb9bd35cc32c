public import Foundation
import Synchronization

/// etcd 3.4 members started by a test on loopback (free ports, a temporary data directory each), killable and
/// restartable one by one, and always stopped: call ``stop()`` (``with(members:_:)`` does).
///
/// With `tls` the members serve clients over TLS only (`https://` client URLs, the given server certificate) and
/// require a client certificate signed by its CA (`--client-cert-auth`); peers still talk plaintext.
public final class EtcdCluster: Sendable {
    public struct Member: Sendable {
        public var name: String
        public var clientPort: Int
        public var peerPort: Int
        public var dataDirectory: String
    }

    public let members: [Member]
    public let root: String
    /// The certificates of a TLS cluster (nil: plaintext).
    public let tls: TestCertificates?
    private let processes: Mutex<[Int: Process]>

    /// `etcd://127.0.0.1:A,127.0.0.1:B,.../PREFIX`; for a TLS cluster `etcds://...?ca=..&cert=..&key=..` with the
    /// test CA and client certificate.
    public func storeURL(prefix: String = "/portico") -> String {
        let hosts = members.map { "127.0.0.1:\($0.clientPort)" }.joined(separator: ",")
        guard let tls else { return "etcd://" + hosts + prefix }
        return "etcds://\(hosts)\(prefix)?ca=\(tls.ca)&cert=\(tls.clientCertificate)&key=\(tls.clientKey)"
    }

    public var endpoints: String {
        members.map { "\(tls == nil ? "http" : "https")://127.0.0.1:\($0.clientPort)" }.joined(separator: ",")
    }

    public init(size: Int, tls: TestCertificates? = nil) throws {
        self.tls = tls
        // tmpfs when there is one: etcd fsyncs every write, and on a busy disk a lease expiry or a watch event then waits
        // seconds behind other tests' I/O.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        root = base + "portico-etcd-\(UUID().uuidString)"
        var members: [Member] = []
        let ports = try freePorts(size * 2)
        for index in 0..<size {
            members.append(
                Member(
                    name: "m\(index)", clientPort: ports[2 * index], peerPort: ports[2 * index + 1],
                    dataDirectory: "\(root)/m\(index)"))
        }
        self.members = members
        processes = Mutex([:])
    }

    public static func with<T: Sendable>(
        members: Int, tls: TestCertificates? = nil, _ body: @Sendable (EtcdCluster) async throws -> T
    ) async throws -> T {
        let cluster = try EtcdCluster(size: members, tls: tls)
        defer { cluster.stop() }
        try cluster.start()
        try await cluster.waitUntilHealthy()
        return try await body(cluster)
    }

    public func start() throws {
        for index in members.indices { try start(index) }
    }

    public func start(_ index: Int) throws {
        let member = members[index]
        let cluster = members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
        try FileManager.default.createDirectory(atPath: member.dataDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let scheme = tls == nil ? "http" : "https"
        var arguments = [
            "etcd", "--name", member.name, "--data-dir", member.dataDirectory,
            "--listen-client-urls", "\(scheme)://127.0.0.1:\(member.clientPort)",
            "--advertise-client-urls", "\(scheme)://127.0.0.1:\(member.clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "portico-test", "--heartbeat-interval", "50", "--election-timeout", "500",
            "--logger", "zap", "--log-outputs", "\(member.dataDirectory).log",
        ]
        if let tls {
            arguments += [
                "--cert-file", tls.serverCertificate, "--key-file", tls.serverKey, "--trusted-ca-file", tls.ca,
                "--client-cert-auth",
            ]
        }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.withLock { $0[index] = process }
    }

    /// SIGKILL: no goodbye to the other members, as when a machine dies.
    public func kill(_ index: Int) {
        guard let process = processes.withLock({ $0.removeValue(forKey: index) }) else { return }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// SIGSTOP: the member keeps its connections open but answers nothing, as a machine that froze or a network
    /// path that silently drops packets (no FIN, no RST). ``thaw(_:)`` resumes it.
    public func freeze(_ index: Int) {
        guard let process = processes.withLock({ $0[index] }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT after ``freeze(_:)``.
    public func thaw(_ index: Int) {
        guard let process = processes.withLock({ $0[index] }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGCONT)
    }

    public func stop() {
        for index in members.indices { kill(index) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Waits until a write through etcdctl succeeds (a leader is elected), up to 30 s.
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let result = try? await etcdctl(["put", "/portico-test/health", "ok"]), result.status == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw EtcdFailure(description: "etcd did not become healthy; logs in \(root)")
    }

    /// Runs etcdctl (v3 API) against every member, on a thread of its own: waiting for a process must not hold
    /// one of the few threads Swift concurrency runs every test on.
    /// `members`: the members etcdctl may talk to (default: all), e.g. to leave out a frozen one.
    @discardableResult
    public func etcdctl(_ arguments: [String], members: [Int]? = nil) async throws -> (status: Int32, output: String) {
        let chosen = members.map { $0.map { self.members[$0] } } ?? self.members
        let scheme = tls == nil ? "http" : "https"
        var options = ["--endpoints", chosen.map { "\(scheme)://127.0.0.1:\($0.clientPort)" }.joined(separator: ",")]
        if let tls {
            options += ["--cacert", tls.ca, "--cert", tls.clientCertificate, "--key", tls.clientKey]
        }
        let all = options + arguments
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try Self.runEtcdctl(all) })
            }.start()
        }
    }

    private static func runEtcdctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["etcdctl", "--dial-timeout", "2s", "--command-timeout", "3s"] + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

public struct EtcdFailure: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Ports free at the time of asking (bound to port 0 and released together, so they differ).
public func freePorts(_ count: Int) throws -> [Int] {
    var sockets: [Int32] = []
    defer { for socket in sockets { close(socket) } }
    var ports: [Int] = []
    for _ in 0..<count {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EtcdFailure(description: "socket: errno \(errno)") }
        sockets.append(descriptor)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw EtcdFailure(description: "bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        ports.append(Int(UInt16(bigEndian: address.sin_port)))
    }
    return ports
}
