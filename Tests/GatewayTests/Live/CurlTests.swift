import Foundation
import GenericCall
import Testing

@testable import Gateway

/// The gateway against a real HTTP client someone else wrote.
@Suite("Live: curl")
struct CurlTests {
    static let curl = ["/usr/bin/curl", "/usr/local/bin/curl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs curl without blocking a cooperative thread; returns its standard output.
    static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl!)
        process.arguments = ["-sS", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        let finished = Shared<CheckedContinuation<Void, Never>?>(nil)
        try await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            finished.update { $0 = continuation }
            process.terminationHandler = { _ in finished.update { $0 }?.resume() }
            do { try process.run() } catch { continuation.resume() }
        }
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test(.enabled(if: curl != nil)) func curlCallsRoutesAndTheAdminAPI() async throws {
        let invoker = FakeInvoker()
        invoker.reply("CreateShelf", json: #"{"id": "7", "theme": "from curl"}"#)
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService), invoker: invoker) {
            gateway in
            let base = "http://127.0.0.1:\(gateway.port)"
            let reply = try await Self.run([
                "-X", "POST", "\(base)/v1/shelves", "-H", "Content-Type: application/json", "-d", #"{"theme": "x"}"#,
                "-w", " %{http_code}",
            ])
            #expect(reply == #"{"id":"7","theme":"from curl"} 200"#)
            let upload = try await Self.run([
                "-X", "POST", "\(base)/admin/descriptors/shop", "-H", "Authorization: Bearer secret",
                "-F", "files=@\(Fixtures.descriptors)/bookstore.thrift",
                "-F", "files=@\(Fixtures.descriptors)/bookstore_common.thrift", "-F", "main=bookstore.thrift",
                "-w", " %{http_code}",
            ])
            #expect(upload.hasSuffix(" 201"), "\(upload)")
            let denied = try await Self.run(["\(base)/admin/descriptors", "-w", " %{http_code}"])
            #expect(denied.hasSuffix(" 401"))
        }
    }
}
