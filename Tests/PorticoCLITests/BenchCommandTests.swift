import Foundation
import Testing

/// `portico bench` against `portico mock` in separate processes, as a user runs them. Timings are never asserted:
/// only that the report is there and its figures agree with each other.
@Suite(.serialized) struct BenchCommandTests {
    let cli = CodecCommandTests()
    let mocks = CallMockCommandTests()
    static let thrift = CodecCommandTests.descriptors + "/baseline.thrift"
    static let proto = CodecCommandTests.descriptors + "/baseline.proto"
    static let simple = #"{"byte_field": 127, "i64_field": 9, "double_field": 1.5, "i32_field": 7, "string_field": "hi", "binary_field": "AAE="}"#

    /// The `--json` report as a dictionary.
    func report(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let report = object as? [String: Any] else { throw CLIFailure(description: "not a JSON object: \(text)") }
        return report
    }

    func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? -1 }

    @Test(arguments: ["framed", "ttheader"]) func benchAThriftMock(framing: String) throws {
        let (mock, address) = try mocks.startMock([
            "--schema", Self.thrift, "--service", "BaselineService", "--framing", framing,
        ])
        defer { mocks.stop(mock) }
        let result = try cli.run(CodecCommandTests.binary, [
            "bench", "--schema", Self.thrift, "--method", "BaselineService.SimpleMethod",
            "--target", "\(framing)://\(address)", "--data", Self.simple, "--concurrency", "4", "--duration", "300ms",
            "--warmup", "100ms", "--json",
        ])
        #expect(result.status == 0, "\(result.text) \(result.stderr)")
        let report = try report(result.text)
        let calls = number(report["calls"])
        #expect(calls > 0)
        #expect((report["errors"] as? [String: Any])?.isEmpty == true, "\(result.text)")
        #expect(number(report["concurrency"]) == 4)
        #expect(report["client"] as? String == "portico")
        let seconds = number(report["duration_s"])
        #expect(seconds > 0)
        // calls/s is calls over the measured time (both rounded in the report).
        #expect(abs(number(report["calls_per_second"]) - calls / seconds) <= max(1, 0.01 * calls / seconds))
        let latency = try #require(report["latency_us"] as? [String: Any])
        let p50 = number(latency["p50"]), p90 = number(latency["p90"]), p99 = number(latency["p99"])
        let max = number(latency["max"])
        #expect(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, "\(latency)")
        #expect(number(report["cpu_us_per_call"]) >= 0)
        #expect(number(report["request_bytes"]) > 0)
        #expect(number(report["reply_bytes"]) > 0)
    }

    @Test func benchAGRPCMockWithText() throws {
        let (mock, address) = try mocks.startMock([
            "--schema", Self.proto, "--service", "baseline.BaselineService", "--framing", "grpc",
        ])
        defer { mocks.stop(mock) }
        let result = try cli.run(CodecCommandTests.binary, [
            "bench", "--schema", Self.proto, "--method", "baseline.BaselineService.SimpleMethod",
            "--target", "grpc://\(address)", "--data", #"{"i32Field": 7, "stringField": "hi"}"#, "--concurrency", "8",
            "--duration", "300ms", "--warmup", "0s",
        ])
        #expect(result.status == 0, "\(result.text) \(result.stderr)")
        #expect(result.text.contains("calls/s"), "\(result.text)")
        #expect(result.text.contains("latency us: p50"), "\(result.text)")
        #expect(result.text.contains("client cpu:"), "\(result.text)")
        #expect(result.text.contains("errors 0"), "\(result.text)")
    }

    @Test func everyCallFailingExitsNonZeroWithErrorsByCode() throws {
        // A port that was just free: bind, read the port, close.
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        close(socket)
        let result = try cli.run(CodecCommandTests.binary, [
            "bench", "--schema", Self.thrift, "--method", "BaselineService.SimpleMethod",
            "--target", "framed://127.0.0.1:\(port)", "--data", Self.simple, "--concurrency", "2",
            "--duration", "200ms", "--warmup", "0s", "--json",
        ])
        #expect(result.status != 0, "\(result.text)")
        let report = try report(result.text)
        #expect(number(report["calls"]) == 0)
        let errors = try #require(report["errors"] as? [String: Any], "\(result.text)")
        #expect(number(errors["UNAVAILABLE"]) > 0, "\(result.text)")
        let messages = report["error_messages"] as? [String: Any]
        #expect(messages?["UNAVAILABLE"] is String, "\(result.text)")
    }

    @Test func badArgumentsAreReported() throws {
        let result = try cli.run(CodecCommandTests.binary, [
            "bench", "--schema", Self.thrift, "--method", "BaselineService.SimpleMethod",
            "--target", "framed://127.0.0.1:1", "--concurrency", "0",
        ])
        #expect(result.status == 1)
        #expect(result.text.contains(#""code":"INVALID_ARGUMENT""#), "\(result.text)")
    }
}
