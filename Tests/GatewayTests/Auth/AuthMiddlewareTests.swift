import Foundation
import GenericCall
import PorticoTestSupport
import DynamicCodec
import Testing

@testable import Gateway

/// PASETO policies on live routes: a gateway with real mock backends (TTHeader Thrift and gRPC), tokens from our
/// issuer and from pyseto, every refusal code, every place a token can travel, and the claims the backend sees.
@Suite("Live: PASETO auth on routes")
struct AuthMiddlewareTests {
    /// The keys of one test: the current signing key (in the ring under its PASERK id), a rotated-out key the ring
    /// still knows as `old`, and a local key the policy does not have.
    struct Keys: Sendable {
        let current = PASETOKey.generate(.v4, .secret)
        let old = PASETOKey.generate(.v4, .secret)
        let stranger = PASETOKey.generate(.v4, .local)
    }

    static func withGateway<T: Sendable>(
        keys: Keys, _ body: @Sendable (GatewayFixture, MockServer, MockServer) async throws -> T
    ) async throws -> T {
        let thrift = try ServiceSchema.load(path: Fixtures.descriptors + "/bookstore.thrift", service: "Bookstore")
        let proto = try ServiceSchema.load(
            path: Fixtures.descriptors + "/demo/inventory.proto", includeDirectories: [Fixtures.descriptors],
            service: "inventory.v1.Inventory")
        let thriftMock = MockServer(
            responder: try MockResponder(schema: thrift, responses: try MockResponses(json: Array(#"""
                {"GetBook": {"reply": {"book": {"id": "9", "title": "Dune"}, "etag": "v1", "status": 200}},
                 "DeleteBook": {"exception": "nf", "value": {"status": 404, "message": "no book"}},
                 "ListShelves": {"reply": {"shelves": []}}}
                """#.utf8))),
            framing: .ttheader)
        let grpcMock = MockServer(
            responder: try MockResponder(schema: proto, responses: try MockResponses(json: Array(#"""
                {"GetStock": {"reply": {"sku": "dune", "copiesByWarehouse": {"berlin": 12}}},
                 "Transfer": {"reply": {"sku": "dune"}}}
                """#.utf8))),
            framing: .grpc)
        let thriftEndpoint = try await thriftMock.start(port: 0)
        let grpcEndpoint = try await grpcMock.start(port: 0)
        let keyFile = Fixtures.temporaryDirectory() + "/old.paserk"
        try (keys.old.verificationKey.paserk + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let config = try Fixtures.config(
            services: """
                  - name: books
                    schema: \(Fixtures.descriptors)/bookstore.thrift
                    service: Bookstore
                    framing: ttheader
                    endpoints: [\(thriftEndpoint)]
                    forward_headers: [X-User, X-Tenant]
                    auth: users
                    methods: { DeleteBook: { auth: none } }
                  - name: inventory
                    schema: \(Fixtures.descriptors)/demo/inventory.proto
                    include: [\(Fixtures.descriptors)]
                    service: inventory.v1.Inventory
                    framing: grpc
                    endpoints: [\(grpcEndpoint)]
                    auth: partners
                """,
            extra: """
                auth:
                  users:
                    keys:
                      - \(keys.current.verificationKey.paserk)
                      - { id: old, key: "file:\(keyFile)" }
                    key_lookup: [header:Authorization, query:access_token, cookie:token, form:token]
                    token_prefix: "Bearer "
                    claims: { audience: bookstore, leeway: 5s }
                    skip: [GET /v1/shelves]
                    forward_claims: { sub: x-user, role: x-role }
                  partners:
                    keys: [\(keys.current.verificationKey.paserk)]
                    require_kid: true
                    implicit_assertion: partner-api
                    forward_claims: { sub: x-partner }

                """)
        return try await GatewayFixture.withBackends(config, stopping: [thriftMock, grpcMock]) {
            try await body($0, thriftMock, grpcMock)
        }
    }

    static func token(
        _ key: PASETOKey, claims: String = #"{"sub":"alice","aud":"bookstore","role":"reader"}"#,
        lifetime: Duration? = .seconds(300), keyID: PASETOIssuer.FooterKeyID = .paserkID, implicit: String = "",
        at now: Date = Date()
    ) throws -> String {
        try PASETOIssuer(key: key, footerKeyID: keyID, implicitAssertion: Array(implicit.utf8))
            .issue(claims: Array(claims.utf8), lifetime: lifetime, at: now)
    }

    @Test func aValidTokenReachesTheBackendWithItsClaimsAndSpoofedHeadersAreReplaced() async throws {
        let keys = Keys()
        try await Self.withGateway(keys: keys) { gateway, thriftMock, _ in
            let token = try Self.token(keys.current)
            let book = try await gateway.request(
                "GET", "/v1/shelves/3/books/9",
                headers: [("Authorization", "Bearer \(token)"), ("X-User", "mallory"), ("X-Tenant", "blue")])
            #expect(book.status == 200, "\(book.text)")
            #expect(book.text.contains(#""title":"Dune""#))
            let seen = thriftMock.lastRequestHeaders
            #expect(seen["RPC_TRANSIT_x-user"] == "alice", "the verified sub, never the client's X-User: \(seen)")
            #expect(seen["RPC_TRANSIT_x-role"] == "reader")
            #expect(seen["RPC_TRANSIT_x-tenant"] == "blue", "other forwarded headers still pass")
            // The prefix is matched case-insensitively, as HTTP auth schemes are.
            let lower = try await gateway.request("GET", "/v1/shelves/3/books/9", headers: [("Authorization", "bearer \(token)")])
            #expect(lower.status == 200)
        }
    }

    @Test func everyRefusalHasItsCodeA401AndNoDetailBeyondIt() async throws {
        let keys = Keys()
        try await Self.withGateway(keys: keys) { gateway, thriftMock, _ in
            let now = Date()
            var tampered = Array(try Self.token(keys.current).utf8)
            tampered[30] = tampered[30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let cases: [(String, [(String, String)], String)] = [
                ("TOKEN_MISSING", [], "no header"),
                ("TOKEN_MISSING", [("Authorization", "Basic dXNlcjpwdw==")], "another scheme"),
                ("TOKEN_EXPIRED", [("Authorization", "Bearer " + (try Self.token(keys.current, lifetime: .seconds(60), at: now - 3600)))], "expired"),
                ("TOKEN_EXPIRED", [("Authorization", "Bearer " + (try Self.token(keys.current, lifetime: nil)))], "no exp"),
                (
                    "TOKEN_NOT_YET_VALID",
                    [("Authorization", "Bearer " + (try Self.token(
                        keys.current,
                        claims: #"{"sub":"a","aud":"bookstore","nbf":"\#(PASETOTime.format(now + 3600))"}"#)))],
                    "nbf in an hour"
                ),
                ("CLAIM_MISMATCH", [("Authorization", "Bearer " + (try Self.token(keys.current, claims: #"{"sub":"a","aud":"shop"}"#)))], "aud"),
                ("CLAIM_MISMATCH", [("Authorization", "Bearer " + (try Self.token(keys.current, claims: #"{"sub":"a"}"#)))], "no aud"),
                ("TOKEN_INVALID", [("Authorization", "Bearer " + String(decoding: tampered, as: UTF8.self))], "tampered"),
                ("TOKEN_INVALID", [("Authorization", "Bearer " + (try Self.token(keys.stranger)))], "unknown local key"),
                ("TOKEN_INVALID", [("Authorization", "Bearer " + (try Self.token(PASETOKey.generate(.v4, .secret), keyID: .omitted)))], "other key, no kid"),
                ("TOKEN_INVALID", [("Authorization", "Bearer " + (try Self.token(keys.current, keyID: .named("nope"))))], "unknown kid"),
                ("TOKEN_INVALID", [("Authorization", "Bearer v4.public.")], "empty body"),
                ("TOKEN_INVALID", [("Authorization", "Bearer v9.public.abc")], "unknown version"),
                ("TOKEN_INVALID", [("Authorization", "Bearer " + String(repeating: "v4.public.A", count: 2000))], "oversized"),
            ]
            let before = thriftMock.lastRequestHeaders
            for (code, headers, what) in cases {
                let response = try await gateway.request("GET", "/v1/shelves/3/books/9", headers: headers)
                #expect(response.status == 401, "\(what): \(response.status) \(response.text)")
                #expect(response.errorCode == code, "\(what): \(response.text)")
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(what)")
                // The body is the code and a fixed sentence: no claim, time, key id or token text.
                #expect(!response.text.contains("alice") && !response.text.contains("kid") && response.text.count < 120,
                        "\(what): \(response.text)")
            }
            #expect(thriftMock.lastRequestHeaders == before, "no refused request reached the backend")
            #expect(gateway.logs.contains("token refused"), "the log says why")
            #expect(gateway.logs.contains("claim aud does not match"))
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(metrics.text.contains(#"portico_auth_refused_total{policy="users",code="TOKEN_MISSING"} 2"#), "\(metrics.text)")
        }
    }

    @Test func tokensTravelInQueryCookieOrFormAndTheQueryTokenIsNotMapped() async throws {
        let keys = Keys()
        try await Self.withGateway(keys: keys) { gateway, thriftMock, _ in
            let token = try Self.token(keys.current)
            // Strict mapping refuses unknown query parameters: the consumed token must be gone before it.
            let query = try await gateway.request("GET", "/v1/shelves/3/books/9?access_token=\(token)")
            #expect(query.status == 200, "\(query.text)")
            let cookie = try await gateway.request(
                "GET", "/v1/shelves/3/books/9", headers: [("Cookie", "theme=dark; token=\(token)")])
            #expect(cookie.status == 200, "\(cookie.text)")
            let form = try await gateway.request(
                "POST", "/Bookstore/GetBook", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "token=\(token)")
            #expect(form.status != 401, "\(form.text)")
            // The first source that has a token wins: a bad header token is not rescued by a good cookie.
            let both = try await gateway.request(
                "GET", "/v1/shelves/3/books/9", headers: [("Authorization", "Bearer v4.public.AAAA"), ("Cookie", "token=\(token)")])
            #expect(both.errorCode == "TOKEN_INVALID")
            #expect(thriftMock.lastRequestHeaders["RPC_TRANSIT_x-user"] == "alice")
        }
    }

    @Test func skipRulesMethodOverridesAndRotatedKeys() async throws {
        let keys = Keys()
        try await Self.withGateway(keys: keys) { gateway, _, _ in
            // skip: [GET /v1/shelves] — exact path, that method only.
            let shelves = try await gateway.request("GET", "/v1/shelves")
            #expect(shelves.status == 200, "\(shelves.text)")
            let other = try await gateway.request("GET", "/v1/shelves/3")
            #expect(other.errorCode == "TOKEN_MISSING")
            // methods: { DeleteBook: { auth: none } } — the backend's declared exception comes through.
            let delete = try await gateway.request("DELETE", "/v1/shelves/3/books/9")
            #expect(delete.status == 404, "\(delete.text)")
            // The rotated-out key, from a file, under the id the footer names.
            let old = try Self.token(keys.old, keyID: .named("old"))
            let book = try await gateway.request("GET", "/v1/shelves/3/books/9", headers: [("Authorization", "Bearer \(old)")])
            #expect(book.status == 200, "\(book.text)")
            // The same key named by a kid the ring gives to another key: refused.
            let mislabelled = try Self.token(keys.old)
            let refused = try await gateway.request(
                "GET", "/v1/shelves/3/books/9", headers: [("Authorization", "Bearer \(mislabelled)")])
            #expect(refused.errorCode == "TOKEN_INVALID")
        }
    }

    @Test func grpcBackendsGetClaimsAsMetadataAndPolicyOptionsHold() async throws {
        let keys = Keys()
        try await Self.withGateway(keys: keys) { gateway, _, grpcMock in
            // partners: kid required, implicit assertion "partner-api", exp required, no audience rule.
            let good = try Self.token(keys.current, claims: #"{"sub":"acme"}"#, implicit: "partner-api")
            let stock = try await gateway.request("GET", "/v1/inventory/dune", headers: [("Authorization", "Bearer \(good)")])
            #expect(stock.status == 200, "\(stock.text)")
            #expect(grpcMock.lastRequestHeaders["x-partner"] == "acme", "\(grpcMock.lastRequestHeaders)")
            let noKid = try Self.token(keys.current, claims: #"{"sub":"acme"}"#, keyID: .omitted, implicit: "partner-api")
            let refused = try await gateway.request("GET", "/v1/inventory/dune", headers: [("Authorization", "Bearer \(noKid)")])
            #expect(refused.errorCode == "TOKEN_INVALID")
            let wrongAssertion = try Self.token(keys.current, claims: #"{"sub":"acme"}"#, implicit: "other")
            let refused2 = try await gateway.request(
                "GET", "/v1/inventory/dune", headers: [("Authorization", "Bearer \(wrongAssertion)")])
            #expect(refused2.errorCode == "TOKEN_INVALID")
        }
    }

    @Test func tokensMintedByPysetoAreAcceptedThroughCurl() async throws {
        let keys = Keys()
        try await Self.withGateway(keys: keys) { gateway, thriftMock, _ in
            let exp = PASETOTime.format(Date() + 300)
            let footer = String(decoding: PASETOFooter.with(keyID: keys.current.keyID), as: UTF8.self)
            let request = #"{"ops":[{"op":"issue","key":"\#(keys.current.paserk)","payload":"{\"sub\":\"py\",\"aud\":\"bookstore\",\"exp\":\"\#(exp)\"}","footer":\#(JSONString.quoted(footer)),"implicit":""}]}"#
            let output = try await onOwnThread {
                try runPeer("python3", [Repo.peers + "/paseto_peer.py"], input: Array(request.utf8))
            }
            let parsed = try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any]
            let results = parsed?["results"] as? [[String: Any]]
            let token = try #require(results?.first?["token"] as? String, "\(String(decoding: output, as: UTF8.self))")
            let port = gateway.port
            let curl = try await onOwnThread {
                try runProcess(
                    "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)",
                             "http://127.0.0.1:\(port)/v1/shelves/3/books/9"])
            }
            #expect(String(decoding: curl.stdout, as: UTF8.self) == "200", "\(curl)")
            #expect(thriftMock.lastRequestHeaders["RPC_TRANSIT_x-user"] == "py")
        }
    }

    @Test func policiesThatCannotWorkKeepTheGatewayFromStarting() throws {
        let key = PASETOKey.generate(.v4, .secret).verificationKey.paserk
        func start(_ auth: String, service: String = "auth: users") throws {
            let config = try Fixtures.config(
                services: """
                      - name: books
                        schema: \(Fixtures.descriptors)/bookstore.thrift
                        service: Bookstore
                        endpoints: [127.0.0.1:9]
                        \(service)
                    """, extra: auth)
            _ = try GatewayServer(config: config, invoker: FakeInvoker())
        }
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "started"
            } catch {
                return "\(error)"
            }
        }
        #expect(message { try start("auth:\n  users: { key_lookup: [header:Authorization] }\n") }.contains("auth.users.keys"))
        #expect(message { try start("auth:\n  users: { keys: [] }\n") }.contains("at least one key"))
        #expect(message { try start("auth:\n  users: { keys: [\"file:/nonexistent/key\"] }\n") }.contains("auth.users.keys[0]"))
        #expect(message { try start("auth:\n  users: { keys: [\"env:PORTICO_TEST_UNSET_KEY\"] }\n") }.contains("PORTICO_TEST_UNSET_KEY"))
        #expect(message { try start("auth:\n  users: { keys: [abcdef00] }\n") }.contains("version and kind"))
        #expect(message { try start("auth:\n  users: { keys: [\(key)], key_lookup: [body:x] }\n") }.contains("key_lookup[0]"))
        #expect(message { try start("auth:\n  users: { keys: [\(key)], skip: [\"GET v1\"] }\n") }.contains("skip[0]"))
        #expect(message { try start("auth:\n  users: { keys: [\(key)], forward_claims: { sub: \"grpc-x\" } }\n") }.contains("forward_claims.sub"))
        #expect(message { try start("auth:\n  none: { keys: [\(key)] }\n", service: "") }.contains("auth.none"))
        #expect(message { try start("", service: "auth: users") }.contains("no auth policy named 'users'"))
        #expect(message { try start("auth:\n  users: { keys: [\(key)] }\n", service: "methods: { GetBook: { auth: admins } }") }
            .contains("services[0].methods.GetBook.auth"))
        #expect(message { try start("auth:\n  users: { keys: [\(key)] }\n") } == "started")
    }
}
