import Foundation
import GenericCall
import Testing

@testable import Gateway

@Suite("Live: admin API and registry")
struct AdminAPITests {
    @Test func withoutATokenTheAdminAPIIsDisabled() async throws {
        let config = try Fixtures.config(services: Fixtures.protoService, token: nil)
        try await GatewayFixture.with(config) { gateway in
            let response = try await gateway.admin("GET", "/admin/descriptors")
            #expect(response.status == 404)
            #expect(response.errorCode == "ROUTE_NOT_FOUND")
        }
    }

    @Test func badOrMissingTokenIs401() async throws {
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService)) { gateway in
            let missing = try await gateway.request("GET", "/admin/services")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "UNAUTHENTICATED")
            #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try await gateway.request(
                "GET", "/admin/services", headers: [("Authorization", "Bearer secreT")])
            #expect(wrong.status == 401)
            let right = try await gateway.admin("GET", "/admin/services")
            #expect(right.status == 200)
            #expect(right.text.contains("\"name\":\"books\""))
        }
    }

    @Test func uploadServeVersionRollbackDelete() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
        invoker.reply("Ping", json: #"{"success": "pong"}"#)
        let config = try Fixtures.config(services: "  []")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let upload = try await gateway.admin("POST", "/admin/descriptors/shop", body: Bundles.thrift())
            #expect(upload.status == 201, "\(upload.text)")
            #expect(upload.text.contains("\"active_version\":1"))
            #expect(upload.text.contains("GET /v1/shelves/:shelf -> bookstore.Bookstore.GetShelf"))

            // Not routed until a service uses it.
            #expect(try await gateway.request("GET", "/v1/shelves/5").status == 404)
            let put = try await gateway.admin(
                "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"))
            #expect(put.status == 200, "\(put.text)")
            #expect(put.text.contains("\"schema\":\"registry:shop\""))
            let served = try await gateway.request("GET", "/v1/shelves/5")
            #expect(served.status == 200)
            #expect(served.text.contains("sea"))

            // Version 2 adds a route; rollback removes it again.
            let v2 = Bundles.thrift {
                $0.replacingOccurrences(
                    of: "oneway void RecordView",
                    with: "string Ping() (api.get = \"/v1/ping\")\n    oneway void RecordView")
            }
            let second = try await gateway.admin("POST", "/admin/descriptors/shop", body: v2)
            #expect(second.status == 201, "\(second.text)")
            #expect(second.text.contains("\"versions\":[1,2]"))
            #expect(try await gateway.request("GET", "/v1/ping").status == 200)
            let list = try await gateway.admin("GET", "/admin/descriptors")
            #expect(list.text.contains("\"name\":\"shop\",\"active_version\":2"))
            let detail = try await gateway.admin("GET", "/admin/descriptors/shop")
            #expect(detail.text.contains("\"main\":\"bookstore.thrift\""))
            #expect(detail.text.contains("\"bookstore_common.thrift\":"))

            let rollback = try await gateway.admin("POST", "/admin/descriptors/shop/rollback")
            #expect(rollback.status == 200)
            #expect(rollback.text.contains("\"active_version\":1"))
            #expect(try await gateway.request("GET", "/v1/ping").status == 404)
            let noEarlier = try await gateway.admin("POST", "/admin/descriptors/shop/rollback")
            #expect(noEarlier.status == 400)
            #expect(noEarlier.errorCode == "FAILED_PRECONDITION")

            // In use: refused. After the service is gone: deleted.
            let inUse = try await gateway.admin("DELETE", "/admin/descriptors/shop")
            #expect(inUse.errorCode == "FAILED_PRECONDITION")
            #expect(try await gateway.admin("DELETE", "/admin/services/shop").status == 200)
            #expect(try await gateway.request("GET", "/v1/shelves/5").status == 404)
            #expect(try await gateway.admin("DELETE", "/admin/descriptors/shop").status == 200)
            #expect(try await gateway.admin("GET", "/admin/descriptors/shop").status == 404)
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(metrics.text.contains("portico_descriptor_version{name=\"shop\"} 0"))
            #expect(invoker.serviceChanges.withLock { $0.contains(["shop"]) })
        }
    }

    @Test func invalidUploadsChangeNothing() async throws {
        try await GatewayFixture.with(try Fixtures.config(services: Fixtures.protoService)) { gateway in
            let broken = try await gateway.admin(
                "POST", "/admin/descriptors/bad",
                body: #"{"main": "a.thrift", "files": {"a.thrift": "struct A {\n  1: i32 x\n  2: strin y\n}"}}"#)
            #expect(broken.status == 400)
            #expect(broken.errorCode == "INVALID_DESCRIPTOR")
            #expect(broken.text.contains("\"location\":\"a.thrift:3:"), "\(broken.text)")

            let missingImport = try await gateway.admin(
                "POST", "/admin/descriptors/bad",
                body: #"{"main": "a.proto", "files": {"a.proto": "syntax = \"proto3\";\nimport \"b.proto\";"}}"#)
            #expect(missingImport.errorCode == "INVALID_DESCRIPTOR")

            #expect(try await gateway.admin("POST", "/admin/descriptors/bad", body: "nope").errorCode == "INVALID_JSON")
            let escape = try await gateway.admin(
                "POST", "/admin/descriptors/bad", body: #"{"main": "../a.proto", "files": {"../a.proto": ""}}"#)
            #expect(escape.errorCode == "INVALID_ARGUMENT")
            #expect(try await gateway.admin("POST", "/admin/descriptors/..", body: Bundles.proto()).status >= 400)

            // The proto bundle's routes conflict with the configured service's when a service uses both.
            let ok = try await gateway.admin("POST", "/admin/descriptors/copy", body: Bundles.proto())
            #expect(ok.status == 201)
            let conflict = try await gateway.admin(
                "PUT", "/admin/services/copy",
                body: Bundles.service(registry: "copy", service: "bookstore.v1.Bookstore", framing: "grpc"))
            #expect(conflict.status == 400)
            #expect(conflict.text.contains("already served by 'books'"), "\(conflict.text)")
            let badService = try await gateway.admin(
                "PUT", "/admin/services/x",
                body: #"{"schema": "registry:copy", "service": "S", "endpoints": [], "timeouts": {"rpc": "fast"}}"#)
            #expect(badService.status == 400)
            #expect(badService.text.contains("endpoints: at least one endpoint"), "\(badService.text)")
            let badDuration = try await gateway.admin(
                "PUT", "/admin/services/x",
                body: #"{"schema": "registry:copy", "service": "S", "endpoints": ["h:1"], "timeouts": {"rpc": "fast"}}"#
            )
            #expect(badDuration.text.contains("timeouts.rpc: \\\"fast\\\" is not a duration"), "\(badDuration.text)")
            let services = try await gateway.admin("GET", "/admin/services")
            #expect(!services.text.contains("\"name\":\"copy\""))
            #expect(!services.text.contains("\"name\":\"x\""))
        }
    }

    @Test func descriptorSetAndMultipartUploads() async throws {
        try await GatewayFixture.with(try Fixtures.config(services: "  []")) { gateway in
            let set = try await gateway.admin("POST", "/admin/descriptors/pb", body: Bundles.descriptorSet())
            #expect(set.status == 201, "\(set.text)")
            #expect(set.text.contains("\"kind\":\"descriptor_set\""))
            #expect(set.text.contains("bookstore.v1.Bookstore"))

            let boundary = "XyZ"
            var body = ""
            for name in ["bookstore.thrift", "bookstore_common.thrift"] {
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\(name)\"\r\n"
                body += "Content-Type: text/plain\r\n\r\n\(Bundles.file(name))\r\n"
            }
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"main\"\r\n\r\nbookstore.thrift\r\n"
            body += "--\(boundary)--\r\n"
            let multipart = try await gateway.admin(
                "POST", "/admin/descriptors/mp", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(multipart.status == 201, "\(multipart.text)")
            #expect(multipart.text.contains("\"kind\":\"thrift\""))
        }
    }

    @Test func everythingSurvivesARestart() async throws {
        let store = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let config = try Fixtures.config(services: Fixtures.protoService, store: store)
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            #expect(try await gateway.admin("POST", "/admin/descriptors/shop", body: Bundles.thrift()).status == 201)
            #expect(try await gateway.admin("POST", "/admin/descriptors/shop", body: Bundles.thrift()).status == 201)
            #expect(try await gateway.admin("POST", "/admin/descriptors/shop/rollback").status == 200)
            // Its routes conflict with the configured proto service's (both have GET /v1/shelves)...
            let conflict = try await gateway.admin(
                "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"))
            #expect(conflict.status == 400)
            #expect(conflict.text.contains("conflict"))
            // ...so that one goes first (and, a config service removed at run time, stays removed).
            #expect(try await gateway.admin("DELETE", "/admin/services/books").status == 200)
            let put = try await gateway.admin(
                "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"))
            #expect(put.status == 200)
        }
        // No temporary files are left behind by the atomic writes.
        let leftovers =
            FileManager.default.enumerator(atPath: store)?.compactMap { $0 as? String }
            .filter { $0.contains(".tmp-") } ?? []
        #expect(leftovers.isEmpty)
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let detail = try await gateway.admin("GET", "/admin/descriptors/shop")
            #expect(detail.text.contains("\"active_version\":1,\"versions\":[1,2]"), "\(detail.text)")
            #expect(try await gateway.request("POST", "/Bookstore/GetShelf", body: #"{"shelf": 5}"#).status == 200)
            let services = try await gateway.admin("GET", "/admin/services")
            #expect(!services.text.contains("\"name\":\"books\""))
            #expect(services.text.contains("\"name\":\"shop\""))
        }
    }
}
