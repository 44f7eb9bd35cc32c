import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// `/openapi.json` and `/console` on a live gateway in front of the demo's mock backends: served from the current
/// snapshot, guarded by the admin token, exercised by schemathesis, and driven in headless Chromium.
@Suite("Live: OpenAPI document and console", .serialized)
struct ConsoleLiveTests {
    typealias Support = OpenAPITestSupport

    @Test func theDocumentAndThePageAreServed() async throws {
        try await Support.withDemoGateway { gateway in
            let document = try await gateway.request("GET", "/openapi.json")
            #expect(document.status == 200)
            #expect(document.header("content-type") == "application/json")
            let object = try Support.object(document.body)
            let paths = try #require(object["paths"] as? [String: Any])
            #expect(paths["/v1/inventory/{sku}"] != nil && paths["/v1/shelves/{shelf}/books/{id}"] != nil)
            #expect(paths["/inventory.v1.Inventory/GetStock"] != nil)
            let page = try await gateway.request("GET", "/console")
            #expect(page.status == 200)
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<title>Portico console</title>"))
            #expect(page.header("content-security-policy")?.contains("connect-src 'self'") == true)
            // Other methods on these paths are the routes' business.
            let post = try await gateway.request("POST", "/console")
            #expect(post.status == 404, "\(post.text)")
        }
    }

    @Test func protoNamesReachTheRepliesAndTheDocument() async throws {
        try await Support.withDemoGateway(protoNames: true) { gateway in
            let stock = try await gateway.request("GET", "/v1/inventory/dune-1965")
            #expect(stock.status == 200)
            #expect(stock.text.contains("\"copies_by_warehouse\""), "\(stock.text)")
            let document = try Support.object(try await gateway.request("GET", "/openapi.json").body)
            let properties = Support.at(
                document, "components", "schemas", "inventory.v1.Stock.proto_names", "properties")
            #expect((properties as? [String: Any])?["copies_by_warehouse"] != nil)
        }
    }

    @Test func theConsoleIsOffUnlessEnabled() async throws {
        try await Support.withDemoGateway(console: false) { gateway in
            let page = try await gateway.request("GET", "/console")
            #expect(page.status == 404)
            let document = try await gateway.request("GET", "/openapi.json")
            #expect(document.status == 200)
        }
    }

    @Test func theAdminTokenGuardsThem() async throws {
        try await Support.withDemoGateway(token: "s3cret") { gateway in
            let refused = try await gateway.request("GET", "/console")
            #expect(refused.status == 401)
            #expect(refused.header("www-authenticate")?.contains("Basic realm=\"portico-console\"") == true)
            #expect(refused.text.contains("UNAUTHENTICATED"))
            #expect(try await gateway.request("GET", "/openapi.json").status == 401)
            let wrong = try await gateway.request("GET", "/openapi.json", headers: [("Authorization", "Bearer nope")])
            #expect(wrong.status == 401)
            let bearer = try await gateway.request(
                "GET", "/openapi.json", headers: [("Authorization", "Bearer s3cret")])
            #expect(bearer.status == 200)
            let basic = Data("me:s3cret".utf8).base64EncodedString()
            let page = try await gateway.request("GET", "/console", headers: [("Authorization", "Basic \(basic)")])
            #expect(page.status == 200)
            // The routes themselves are not behind the token.
            #expect(try await gateway.request("GET", "/v1/inventory/dune-1965").status == 200)
        }
    }

    /// schemathesis generates requests from the live document: every response must have a documented status,
    /// content type, headers and a body that fits its schema, and no 5xx may come from the gateway itself.
    @Test func schemathesisFindsNoViolation() async throws {
        try await Support.withDemoGateway { gateway in
            let base = "http://127.0.0.1:\(gateway.port)"
            let result = try await AsyncProcess.run([
                "schemathesis", "run", base + "/openapi.json", "--url", base,
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
                    + "response_schema_conformance",
                "--max-examples", "12", "--seed", "21", "--workers", "1", "--request-timeout", "10",
                "--max-time", "60", "--phases", "examples,coverage,fuzzing",
                // Server streams run until the caller leaves; their bodies are not one JSON document. Request
                // streams take NDJSON bodies, which schemathesis has no serializer for (tested in HTTPStreamTests).
                "--exclude-path-regex", ":watch$|:record$|:relay$|/RecordEvents$|/Relay$",
                "--report", "junit", "--report-dir", Support.artifacts + "/schemathesis",
            ])
            try (result.output + result.errors).write(
                toFile: Support.artifacts + "/schemathesis.txt", atomically: true, encoding: .utf8)
            #expect(result.status == 0, "schemathesis: \(result.output.suffix(6000))\(result.errors.suffix(2000))")
        }
    }

    /// The page in a real browser: it loads, lists the demo's services, sends GetBook to the Thrift mock and shows
    /// the reply. Screenshots at 1280 and 400 px wide are kept under .build/test-artifacts/openapi.
    @Test func headlessChromiumShowsServicesAndAReply() async throws {
        let chromium = "/usr/bin/chromium"
        try #require(FileManager.default.isExecutableFile(atPath: chromium), "no chromium: \(Support.installHint)")
        try await Support.withDemoGateway { gateway in
            let url = "http://127.0.0.1:\(gateway.port)/console#op=bookstore.BookstoreAdmin.GetBook&send=1"
            let profile = Support.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: profile) }
            func browser(_ extra: [String]) async throws -> AsyncProcess.Result {
                try await AsyncProcess.run(
                    [
                        chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--user-data-dir=\(profile)", "--virtual-time-budget=8000",
                    ] + extra + [url],
                    timeout: .seconds(90))
            }
            let dump = try await browser(["--dump-dom"])
            try dump.output.write(toFile: Support.artifacts + "/console-dom.html", atomically: true, encoding: .utf8)
            #expect(dump.status == 0, "\(dump.errors.suffix(2000))")
            let dom = dump.output
            #expect(dom.contains("<summary>bookstore.BookstoreAdmin</summary>"), "\(dom.suffix(3000))")
            #expect(dom.contains("<summary>inventory.v1.Inventory</summary>"))
            #expect(dom.contains("id=\"status\" class=\"ok\">200"), "\(dom.suffix(3000))")
            #expect(dom.contains("Frank Herbert") && dom.contains("\"title\": \"Dune\""), "\(dom.suffix(3000))")
            for width in [1280, 400] {
                let path = Support.artifacts + "/console-\(width).png"
                try? FileManager.default.removeItem(atPath: path)
                let shot = try await browser([
                    "--screenshot=\(path)", "--window-size=\(width),1000", "--hide-scrollbars",
                ])
                #expect(shot.status == 0, "\(shot.errors.suffix(2000))")
                #expect(FileManager.default.fileExists(atPath: path))
            }
        }
    }
}
