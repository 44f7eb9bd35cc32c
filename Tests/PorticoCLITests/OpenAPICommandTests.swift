import Foundation
import PorticoTestSupport
import Testing

/// `portico openapi` as a user runs it: the document of a schema file or of a config, and clear errors.
struct OpenAPICommandTests {
    static let binary = CodecCommandTests.binary
    static let descriptors = CodecCommandTests.descriptors

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func writesTheDocumentOfASchemaFile() throws {
        let result = try runProcess(
            Self.binary, ["openapi", "--schema", Self.descriptors + "/bookstore.proto", "--include", Self.descriptors])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.object(result.stdout)
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(paths["/v1/shelves/{shelf}"] != nil)
        #expect(paths["/bookstore.v1.Bookstore/GetBook"] != nil)
        #expect(paths["/v1/shelves/{name.shelves}/books/{name.books}:publish"] != nil, "\(paths.keys.sorted())")
    }

    @Test func onlyTheServicesAsked() throws {
        let result = try runProcess(
            Self.binary,
            ["openapi", "--schema", Self.descriptors + "/bookstore.thrift", "--service", "Health", "--compact"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.object(result.stdout)
        let paths = try #require(document["paths"] as? [String: Any])
        // GET /healthz is the gateway's own health endpoint, which hides the route.
        #expect(Set(paths.keys) == ["/bookstore_common.Health/Ping"], "\(paths.keys.sorted())")
        #expect(document["x-portico-shadowed-routes"] as? [String] == ["GET /healthz -> bookstore_common.Health.Ping"])
    }

    @Test func anUnknownServiceIsAClearError() throws {
        let result = try runProcess(
            Self.binary, ["openapi", "--schema", Self.descriptors + "/bookstore.thrift", "--service", "Nope"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'Nope' is not a service of"), "\(result.stderr)")
        #expect(result.stderr.contains("bookstore.BookstoreAdmin"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aMissingFileAndBadArgumentsAreClearErrors() throws {
        let missing = try runProcess(Self.binary, ["openapi", "--schema", "/nonexistent/x.proto"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("portico openapi:"), "\(missing.stderr)")
        let neither = try runProcess(Self.binary, ["openapi"])
        #expect(neither.status != 0)
        #expect(neither.stderr.contains("exactly one of --config or --schema"), "\(neither.stderr)")
    }

    @Test func writesTheDocumentOfAConfig() throws {
        let directory = NSTemporaryDirectory() + "portico-openapi-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = """
            listen: 127.0.0.1:0
            store: \(directory)/store
            console: { enabled: true }
            services:
              - name: inventory
                schema: \(Self.descriptors)/demo/inventory.proto
                service: inventory.v1.Inventory
                endpoints: [127.0.0.1:9]
                proto_names: true
            """
        try config.write(toFile: directory + "/portico.yaml", atomically: true, encoding: .utf8)
        let output = directory + "/openapi.json"
        let result = try runProcess(Self.binary, ["openapi", "--config", directory + "/portico.yaml", "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.object(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(paths["/v1/inventory/{sku}:watch"] != nil, "\(paths.keys.sorted())")
        // proto_names: the replies and so the schemas use .proto field names.
        let stock = document["components"].flatMap { ($0 as? [String: Any])?["schemas"] as? [String: Any] }?[
            "inventory.v1.Stock.proto_names"]
        let properties = (stock as? [String: Any])?["properties"] as? [String: Any]
        #expect(properties?["copies_by_warehouse"] != nil, "\(String(describing: stock))")
        #expect(!FileManager.default.fileExists(atPath: directory + "/store"), "the store is only read")
    }
}
