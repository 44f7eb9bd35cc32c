import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// PASETO policies in the document: security schemes per token source, `security` and the 401 on guarded
/// operations, none on skipped or unguarded ones; and `portico openapi --config` reading the services the admin API
/// stored.
extension OpenAPIDocumentTests {
    static func securedConfig(store: String? = nil) throws -> GatewayConfig {
        try Fixtures.config(
            services: """
                  - name: bookstore
                    schema: \(Fixtures.descriptors)/bookstore.thrift
                    service: BookstoreAdmin
                    framing: framed
                    endpoints: [127.0.0.1:1]
                    auth: users
                    methods: { DeleteBook: { auth: none } }
                  - name: inventory
                    schema: \(Fixtures.descriptors)/demo/inventory.proto
                    include: [\(Fixtures.descriptors)]
                    service: inventory.v1.Inventory
                    endpoints: [127.0.0.1:1]
                    auth: partners
                    methods: { Transfer: { auth: forms } }
                """,
            token: nil,
            extra: """
                auth:
                  users:
                    keys: ["env:PORTICO_OPENAPI_TEST_KEY"]
                    key_lookup: [header:Authorization, query:access_token, cookie:token, form:token]
                    skip: [GET /v1/shelves, /v1/assets/*]
                  partners:
                    keys: ["env:PORTICO_OPENAPI_TEST_KEY"]
                    key_lookup: [header:X-Partner-Token]
                    token_prefix: "Token "
                  forms:
                    keys: ["env:PORTICO_OPENAPI_TEST_KEY"]
                    key_lookup: [form:token]

                """, store: store)
    }

    static func operation(_ document: [String: Any], _ path: String, _ method: String) throws -> [String: Any] {
        try #require(Support.at(document, "paths", path, method) as? [String: Any], "\(method) \(path)")
    }

    static func schemeNames(_ operation: [String: Any]) -> [String]? {
        (operation["security"] as? [[String: Any]])?.flatMap(\.keys)
    }

    @Test func authPoliciesBecomeSecuritySchemes() async throws {
        let bytes = try OpenAPIDocument.generate(config: try Self.securedConfig())
        let document = try Support.object(bytes)
        let schemes = try #require(Support.at(document, "components", "securitySchemes") as? [String: [String: Any]])
        #expect(Set(schemes.keys) == ["users", "users.query.access_token", "users.cookie.token", "partners"])
        #expect(schemes["users"]?["type"] as? String == "http")
        #expect(schemes["users"]?["scheme"] as? String == "bearer")
        #expect(schemes["users"]?["bearerFormat"] as? String == "PASETO")
        #expect((schemes["users"]?["description"] as? String)?.contains("the form field `token`") == true)
        #expect(schemes["users.query.access_token"]?["in"] as? String == "query")
        #expect(schemes["users.query.access_token"]?["name"] as? String == "access_token")
        #expect(schemes["users.cookie.token"]?["in"] as? String == "cookie")
        #expect(schemes["partners"]?["type"] as? String == "apiKey")
        #expect(schemes["partners"]?["in"] as? String == "header")
        #expect(schemes["partners"]?["name"] as? String == "X-Partner-Token")
        #expect(schemes["partners"]?["x-portico-token-prefix"] as? String == "Token ")

        // Guarded: any one of the policy's schemes, and the 401 of a refused token.
        let getBook = try Self.operation(document, "/v1/shelves/{shelf}/books/{id}", "get")
        #expect(Self.schemeNames(getBook) == ["users", "users.query.access_token", "users.cookie.token"])
        #expect(
            Support.at(getBook, "responses", "401", "$ref") as? String == "#/components/responses/Unauthenticated")
        #expect(Support.at(getBook, "x-portico", "auth") as? String == "users")
        #expect((getBook["description"] as? String)?.contains("auth policy `users`") == true)
        let generic = try Self.operation(document, "/bookstore.BookstoreAdmin/Reindex", "post")
        #expect(Self.schemeNames(generic) == ["users", "users.query.access_token", "users.cookie.token"])
        #expect(Self.schemeNames(try Self.operation(document, "/v1/inventory/{sku}", "get")) == ["partners"])
        // Skip rules (exact and prefix) and `auth: none` leave operations open.
        for (path, method) in [
            ("/v1/shelves", "get"), ("/v1/assets/{path}", "get"), ("/v1/shelves/{shelf}/books/{id}", "delete"),
        ] {
            let open = try Self.operation(document, path, method)
            #expect(open["security"] == nil, "\(method) \(path)")
            #expect(Support.at(open, "responses", "401") == nil, "\(method) \(path)")
        }
        // POST /v1/shelves is not skipped by `GET /v1/shelves`.
        #expect(Self.schemeNames(try Self.operation(document, "/v1/shelves", "post")) != nil)
        // A policy that reads only a form field has no scheme: the description and the 401 say it.
        let transfer = try Self.operation(document, "/v1/inventory/{sku}:transfer", "post")
        #expect(transfer["security"] == nil)
        #expect((transfer["description"] as? String)?.contains("the form field `token`") == true)
        #expect(Support.at(transfer, "responses", "401") != nil)
        let refusal = try #require(
            Support.at(
                document, "components", "responses", "Unauthenticated", "content", "application/json", "schema", "allOf"
            )
                as? [[String: Any]])
        #expect(
            Support.at(refusal[1], "properties", "code", "enum") as? [String]
                == ["TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED", "TOKEN_NOT_YET_VALID", "CLAIM_MISMATCH"])

        let result = try await Support.validate([("secured config", bytes)])
        #expect(result.status == 0, "\(result.output)\(result.errors) (\(Support.installHint))")
    }

    @Test func aDocumentWithoutPoliciesHasNoSecurity() throws {
        let document = try Self.bookstoreThrift
        #expect(Support.at(document, "components", "securitySchemes") == nil)
        #expect(Support.at(document, "components", "responses", "Unauthenticated") == nil)
    }

    /// What the admin API stored in the config's store directory is in the offline document too, merged the way
    /// the gateway merges it when it starts.
    @Test func theOfflineDocumentIncludesStoredServices() throws {
        let directory = Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try Self.securedConfig(store: directory)
        let withoutStore = try Support.object(try OpenAPIDocument.generate(config: config))
        #expect(Support.at(withoutStore, "paths", "/baseline.SimpleEcho/Echo") == nil)
        #expect(!FileManager.default.fileExists(atPath: directory + "/services"))

        let store = try DescriptorStore(directory: directory)
        let added = """
            {"schema": "\(Fixtures.descriptors)/bench/echo.proto", "include": ["\(Fixtures.descriptors)"],
             "service": "baseline.SimpleEcho", "endpoints": ["127.0.0.1:1"], "auth": "partners"}
            """
        try store.writeService("echo", json: Array(added.utf8))
        try store.writeService("inventory", json: nil)
        let document = try Support.object(try OpenAPIDocument.generate(config: config))
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(Self.schemeNames(try Self.operation(document, "/baseline.SimpleEcho/Echo", "post")) == ["partners"])
        // The stored tombstone removes the config's inventory service.
        #expect(paths["/v1/inventory/{sku}"] == nil)
        #expect(paths["/v1/shelves"] != nil)
    }
}
