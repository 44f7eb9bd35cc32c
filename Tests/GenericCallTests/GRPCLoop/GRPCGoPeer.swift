import Foundation
import PorticoTestSupport

/// The grpc-go echo server of Tests/peers/grpc-go-echo, built from Debian's golang-go and golang-google-grpc-dev
/// (offline: GOPATH mode over /usr/share/gocode). scripts/install-test-deps.sh builds it; a test builds it itself
/// if it is missing.
enum GRPCGoPeer {
    static var source: String { Repo.peers + "/grpc-go-echo/main.go" }
    static var binary: String { Repo.root.appendingPathComponent(".build/peers/grpc-go-echo").path }

    static let built: Result<String, PeerFailure> = {
        if FileManager.default.isExecutableFile(atPath: binary) { return .success(binary) }
        let environment = ProcessInfo.processInfo.environment
        let result: ProcessResult
        do {
            result = try runProcess(
                "/usr/bin/env",
                [
                    "GO111MODULE=off", "GOPATH=/usr/share/gocode", "GOFLAGS=",
                    "GOCACHE=" + Repo.root.appendingPathComponent(".build/peers/gocache").path,
                    "HOME=" + (environment["HOME"] ?? "/tmp"), "PATH=" + (environment["PATH"] ?? "/usr/bin:/bin"),
                    "go", "build", "-o", binary, source,
                ])
        } catch {
            return .failure(PeerFailure(description: "go build: \(error)"))
        }
        guard result.status == 0 else {
            return .failure(
                PeerFailure(description: "go build failed (run scripts/install-test-deps.sh): \(result.stderr)"))
        }
        return .success(binary)
    }()

    /// Starts the server; extra arguments go to it (e.g. `-max-connection-age 300ms`).
    static func start(_ arguments: [String] = []) async throws -> PeerServer {
        let binary = try await offPool { try built.get() }
        return try await startPeer([binary] + arguments)
    }
}

/// Starts a peer process on a thread of its own: `PeerServer` waits for the peer's first line, and blocking one
/// of the few threads that run every test's tasks would stall the suites running beside this one.
func startPeer(_ arguments: [String]) async throws -> PeerServer {
    try await offPool { try PeerServer(arguments) }
}

func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
