import Foundation
import GenericCall
import PorticoTestSupport
import Testing

@testable import Gateway

/// Helpers of the OpenAPI and console tests: JSON access, the Python validators, the demo's mock backends.
enum OpenAPITestSupport {
    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// `value[a][b]...` through nested objects.
    static func at(_ value: Any?, _ keys: String...) -> Any? {
        var current = value
        for key in keys { current = (current as? [String: Any])?[key] }
        return current
    }

    /// Where tests keep what a person may want to look at afterwards (screenshots, reports); git-ignored.
    static let artifacts: String = {
        let path = Repo.root.appendingPathComponent(".build/test-artifacts/openapi").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "portico-openapi-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let installHint = "run scripts/install-test-deps.sh"

    /// Validates documents with openapi-spec-validator (one Python process for all, awaited without holding a
    /// thread of the test pool); returns its output.
    static func validate(_ documents: [(name: String, bytes: [UInt8])]) async throws -> AsyncProcess.Result {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let path = directory + "/\(index).json"
            try Data(document.bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let script = """
            import json, sys
            from openapi_spec_validator import validate
            failed = 0
            for path in sys.argv[1:]:
                with open(path) as handle:
                    spec = json.load(handle)
                try:
                    validate(spec)
                    print("valid", path)
                except Exception as error:
                    failed += 1
                    print("INVALID", path, str(error)[:2000])
            sys.exit(1 if failed else 0)
            """
        return try await AsyncProcess.run(["python3", "-c", script] + paths, timeout: .seconds(120))
    }

    /// The demo's mock backends (as `portico serve` starts them): Thrift BookstoreAdmin (framed) and gRPC
    /// inventory.v1.Inventory, replying from Descriptors/demo. Stopped when the body returns.
    static func withDemoBackends<T: Sendable>(
        _ body: @Sendable (_ thrift: String, _ grpc: String) async throws -> T
    ) async throws -> T {
        let descriptors = Fixtures.descriptors
        func replies(_ name: String) throws -> MockResponses {
            let data = try Data(contentsOf: URL(fileURLWithPath: descriptors + "/demo/" + name))
            return try MockResponses(json: [UInt8](data))
        }
        let thrift = try ServiceSchema.load(path: descriptors + "/bookstore.thrift", service: "BookstoreAdmin")
        let proto = try ServiceSchema.load(
            path: descriptors + "/demo/inventory.proto", service: "inventory.v1.Inventory")
        let thriftMock = MockServer(
            responder: try MockResponder(schema: thrift, responses: try replies("bookstore-replies.json")),
            framing: .framed)
        let grpcMock = MockServer(
            responder: try MockResponder(schema: proto, responses: try replies("inventory-replies.json")),
            framing: .grpc)
        let thriftEndpoint = try await thriftMock.start(port: 0)
        let grpcEndpoint = try await grpcMock.start(port: 0)
        do {
            let result = try await body("\(thriftEndpoint)", "\(grpcEndpoint)")
            await thriftMock.stop()
            await grpcMock.stop()
            return result
        } catch {
            await thriftMock.stop()
            await grpcMock.stop()
            throw error
        }
    }

    /// The demo's services as config YAML.
    static func demoServices(thrift: String, grpc: String, protoNames: Bool = false) -> String {
        """
          - name: bookstore
            schema: \(Fixtures.descriptors)/bookstore.thrift
            service: BookstoreAdmin
            framing: framed
            endpoints: [\(thrift)]
          - name: inventory
            schema: \(Fixtures.descriptors)/demo/inventory.proto
            service: inventory.v1.Inventory
            endpoints: [\(grpc)]
            proto_names: \(protoNames)
        """
    }

    /// A gateway in front of the demo's mock backends.
    static func withDemoGateway<T: Sendable>(
        token: String? = nil, console: Bool = true, protoNames: Bool = false,
        _ body: @Sendable (GatewayFixture) async throws -> T
    ) async throws -> T {
        try await withDemoBackends { thrift, grpc in
            let invoker = GenericCallInvoker()
            do {
                let config = try Fixtures.config(
                    services: demoServices(thrift: thrift, grpc: grpc, protoNames: protoNames), token: token,
                    extra: "console: { enabled: \(console) }\n")
                let result = try await GatewayFixture.with(config, backend: invoker, body)
                await invoker.shutdown()
                return result
            } catch {
                await invoker.shutdown()
                throw error
            }
        }
    }
}
