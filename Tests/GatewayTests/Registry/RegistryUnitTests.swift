import Foundation
import Testing

@testable import Gateway

@Suite("Registry and request parsing units")
struct RegistryUnitTests {
    @Test func storeWritesAtomicallyAndReadsBack() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DescriptorStore(directory: directory)
        let bundle = try DescriptorBundle(main: "a.proto", files: ["a.proto": "syntax = \"proto3\";", "b/c.proto": ""])
        try store.write(bundle, name: "alpha", version: 1)
        try store.write(DescriptorBundle(descriptorSet: [1, 2, 3]), name: "alpha", version: 2)
        try store.setActive("alpha", version: 1)
        #expect(store.bundleNames() == ["alpha"])
        #expect(store.versions(of: "alpha") == [1, 2])
        #expect(store.activeVersion(of: "alpha") == 1)
        #expect(try store.bundle("alpha", version: 1) == bundle)
        #expect(try store.bundle("alpha", version: 2).descriptorSet == [1, 2, 3])
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/descriptors/alpha")
        #expect(files.sorted() == ["active", "v1.json", "v2.json"])
        try store.writeService("svc", json: Array("{\"a\":1}".utf8))
        try store.writeService("gone", json: nil)
        let services = store.storedServices()
        #expect(services.map(\.name) == ["gone", "svc"])
        #expect(services[0].json == nil)
        try store.delete("alpha")
        #expect(store.bundleNames().isEmpty)
    }

    @Test func bundleFileNamesCannotEscape() {
        for name in ["../x.proto", "/etc/x.proto", "a//b.proto", "a/./b.proto", "a\\b.proto", ""] {
            #expect(throws: GatewayError.self) {
                try DescriptorBundle(main: "m.proto", files: ["m.proto": "", name: ""])
            }
        }
        #expect(throws: GatewayError.self) { try DescriptorBundle(main: "m.txt", files: ["m.txt": ""]) }
        #expect(throws: GatewayError.self) { try DescriptorBundle(main: "missing.proto", files: ["m.proto": ""]) }
    }

    @Test func multipartParts() throws {
        let body = Array(
            ("--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.thrift\"\r\n\r\nstruct X {}\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"main\"\r\n\r\nx.thrift\r\n--b--\r\n").utf8)
        let parts = try MultipartForm.parse(body, boundary: "b")
        #expect(parts.count == 2)
        #expect(parts[0].fileName == "x.thrift")
        #expect(String(decoding: parts[0].body, as: UTF8.self) == "struct X {}")
        #expect(parts[1].name == "main")
        #expect(MultipartForm.boundary("multipart/form-data; boundary=\"abc\"") == "abc")
        #expect(throws: GatewayError.self) { try MultipartForm.parse(Array("garbage".utf8), boundary: "b") }
        let bundle = try DescriptorBundle.upload(body: body, contentType: "multipart/form-data; boundary=b")
        #expect(bundle.kind == .thrift)
        #expect(bundle.main == "x.thrift")
    }

    @Test func callerDeadlineHeaders() throws {
        #expect(try CallerDeadline.timeout(grpc: "250m", portico: nil) == .milliseconds(250))
        #expect(try CallerDeadline.timeout(grpc: "2S", portico: "1s") == .seconds(1))
        #expect(try CallerDeadline.timeout(grpc: "1H", portico: nil) == .seconds(3600))
        #expect(try CallerDeadline.timeout(grpc: "100u", portico: nil) == .microseconds(100))
        #expect(try CallerDeadline.timeout(grpc: nil, portico: "250ms") == .milliseconds(250))
        #expect(try CallerDeadline.timeout(grpc: nil, portico: nil) == nil)
        for bad in ["", "m", "123456789m", "5x", "-5m", "1.5S"] {
            #expect(throws: GatewayError.self) { try CallerDeadline.timeout(grpc: bad, portico: nil) }
        }
        #expect(throws: GatewayError.self) { try CallerDeadline.timeout(grpc: nil, portico: "soon") }
    }

    @Test func requestIDs() {
        #expect(RequestID.accept("abc-123") == "abc-123")
        #expect(RequestID.accept("has space") == nil)
        #expect(RequestID.accept(String(repeating: "x", count: 129)) == nil)
        let generated = RequestID.generate()
        #expect(generated.count == 32)
        #expect(generated != RequestID.generate())
    }

    @Test func serviceJSONRoundTrips() throws {
        let config = try GatewayConfig(yaml: GatewayConfigTests.full)
        for service in config.services {
            let again = try ServiceConfig(
                node: try ConfigNode.parse(json: Array(service.json().utf8)), path: "", name: service.name)
            #expect(again == service)
        }
    }
}

@Suite("Kitex framings in the config")
struct KitexConfigTests {
    @Test func compactInsideTTHeaderIsRefusedWithAReason() throws {
        let services = Fixtures.thriftService.replacingOccurrences(of: "framing: framed", with: "framing: ttheader")
            .replacingOccurrences(of: "protocol: binary", with: "protocol: compact")
        let config = try Fixtures.config(services: services)
        do {
            _ = try GatewayServer(config: config, invoker: FakeInvoker())
            Issue.record("a TTHeader service with the compact protocol was accepted")
        } catch {
            #expect(error.message.contains("unsupported ProtocolID[2]"), "\(error)")
            #expect(error.message.contains("services[0].protocol"), "\(error)")
        }
        try? FileManager.default.removeItem(atPath: config.store)
    }
}
