import Foundation
import PorticoTestSupport
import Testing

/// `portico mock` and `portico call` as a user runs them, against each other, in separate processes.
@Suite(.serialized) struct CallMockCommandTests {
    let cli = CodecCommandTests()
    static let thrift = CodecCommandTests.descriptors + "/bookstore.thrift"
    static let proto = CodecCommandTests.descriptors + "/bookstore.pb"

    /// Starts `portico mock` on a free port and returns the process and its `host:port`.
    func startMock(_ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CodecCommandTests.binary)
        process.arguments = ["mock", "--listen", "127.0.0.1:0"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let address = text.split(separator: " ").last, text.contains("listening on") else {
            kill(process.processIdentifier, SIGKILL)
            throw CLIFailure(description: "portico mock did not start: \(text)")
        }
        return (process, String(address))
    }

    func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func callAThriftMockAndSeeRepliesAndErrors() throws {
        let replies = FileManager.default.temporaryDirectory.appendingPathComponent("portico-replies-\(getpid()).json")
        try Data(#"{"Reindex": {"reply": 42}, "DeleteBook": {"exception": "nf", "value": {"message": "gone"}}}"#.utf8)
            .write(to: replies)
        defer { try? FileManager.default.removeItem(at: replies) }
        let (mock, address) = try startMock([
            "--schema", Self.thrift, "--service", "BookstoreAdmin", "--framing", "ttheader", "--responses", replies.path,
        ])
        defer { stop(mock) }
        var result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.thrift, "--method", "BookstoreAdmin.Reindex", "--target", "ttheader://\(address)",
            "--data", #"{"shelf": 3}"#,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text == "42\n")

        result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.thrift, "--method", "BookstoreAdmin.DeleteBook", "--target", "ttheader://\(address)",
            "--data", #"{"shelf": 3, "id": 4}"#,
        ])
        #expect(result.status == 1)
        #expect(result.text.contains("DECLARED_EXCEPTION") && result.text.contains("gone"), "\(result.text)")

        result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.thrift, "--method", "BookstoreAdmin.Reindex", "--target", "ttheader://\(address)",
            "--data", #"{"shelf": "#,
        ])
        #expect(result.status == 1)
        #expect(result.text.contains(#""code":"INVALID_JSON""#), "\(result.text)")
    }

    @Test func callAGRPCMockWithTimeoutsAndRetries() throws {
        let (mock, address) = try startMock([
            "--schema", Self.proto, "--service", "bookstore.v1.Bookstore", "--framing", "grpc", "--delay-ms", "300",
        ])
        defer { stop(mock) }
        var result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.proto, "--method", "bookstore.v1.Bookstore.GetBook", "--target", "grpc://\(address)",
            "--data", #"{"name": "shelves/1/books/2"}"#, "--timeout", "2s",
        ])
        #expect(result.status == 0, "\(result.text) \(result.stderr)")
        #expect(result.text == "{}\n")
        result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.proto, "--method", "bookstore.v1.Bookstore.GetBook", "--target", "grpc://\(address)",
            "--timeout", "100ms", "--retries", "2",
        ])
        #expect(result.status == 1)
        #expect(result.text.contains(#""code":"RPC_TIMEOUT""#), "timeouts are not retried by default: \(result.text)")
        #expect(result.text.contains(#""attempts":"1""#), "\(result.text)")
    }

    @Test func refusedConnectionsAndBadTargetsAreReported() throws {
        var result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.thrift, "--method", "Bookstore.GetBook", "--target", "framed://127.0.0.1:1",
            "--data", #"{"shelf": 1, "id": 2}"#,
        ])
        #expect(result.status == 1)
        #expect(result.text.contains(#""code":"UNAVAILABLE""#), "\(result.text)")
        result = try cli.run(CodecCommandTests.binary, [
            "call", "--schema", Self.thrift, "--method", "Bookstore.GetBook", "--target", "carrier-pigeon://x:1",
        ])
        #expect(result.status == 1)
        #expect(result.text.contains(#""code":"INVALID_ARGUMENT""#), "\(result.text)")
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    var description: String
}

/// Streaming methods from the command line: request messages as JSON lines on standard input, replies printed as
/// they come.
@Suite(.serialized) struct StreamingCallCommandTests {
    let mocks = CallMockCommandTests()
    static let inventory = CodecCommandTests.descriptors + "/demo/inventory.proto"

    @Test func clientAndBidirectionalStreamsReadJSONLines() throws {
        let (mock, address) = try mocks.startMock([
            "--schema", Self.inventory, "--include", CodecCommandTests.descriptors, "--service",
            "inventory.v1.Inventory", "--framing", "grpc", "--responses",
            CodecCommandTests.descriptors + "/demo/inventory-replies.json",
        ])
        defer { mocks.stop(mock) }
        func call(_ method: String, _ input: String) throws -> ProcessResult {
            try mocks.cli.run(
                CodecCommandTests.binary,
                [
                    "call", "--schema", Self.inventory, "--include", CodecCommandTests.descriptors, "--method",
                    "inventory.v1.Inventory.\(method)", "--target", "grpc://\(address)", "--data", "-",
                ], input: Array(input.utf8))
        }
        let relay = try call("Relay", "{\"warehouse\":\"a\",\"delta\":1}\n\n{\"warehouse\":\"b\",\"delta\":2}\n")
        #expect(relay.status == 0, "\(relay.stderr)")
        #expect(relay.text == "{\"warehouse\":\"a\",\"delta\":1}\n{\"warehouse\":\"b\",\"delta\":2}\n", "\(relay.text)")
        let record = try call("RecordEvents", "{\"warehouse\":\"a\",\"delta\":1}\n{\"delta\":9}\n")
        #expect(record.status == 0, "\(record.stderr)")
        #expect(record.text == "{\"warehouse\":\"a\",\"delta\":9}\n", "\(record.text)")
        // A line that does not encode stops the call with the codec's error, exit status 1.
        let bad = try call("Relay", "{\"delta\":\"many\"}\n")
        #expect(bad.status == 1)
        #expect(bad.text.contains("INVALID_ARGUMENT"), "\(bad.text)")
    }
}
