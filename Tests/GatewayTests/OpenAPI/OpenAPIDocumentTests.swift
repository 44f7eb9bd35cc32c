import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// The generated document: its schemas follow the JSON the gateway reads and writes, and every document of the
/// example and benchmark descriptors is valid OpenAPI 3.1 for openapi-spec-validator.
@Suite("OpenAPI document", .serialized)
struct OpenAPIDocumentTests {
    typealias Support = OpenAPITestSupport

    static var bookstoreProto: [String: Any] {
        get throws {
            try Support.object(
                try OpenAPIDocument.generate(
                    schemaPath: Fixtures.descriptors + "/bookstore.proto", include: [Fixtures.descriptors]))
        }
    }

    static var bookstoreThrift: [String: Any] {
        get throws {
            try Support.object(try OpenAPIDocument.generate(schemaPath: Fixtures.descriptors + "/bookstore.thrift"))
        }
    }

    static func schema(_ document: [String: Any], _ name: String) -> [String: Any]? {
        Support.at(document, "components", "schemas", name) as? [String: Any]
    }

    @Test func protobufScalarsFollowProto3JSON() throws {
        let document = try Self.bookstoreProto
        #expect(document["openapi"] as? String == "3.1.0")
        let book = try #require(Self.schema(document, "bookstore.v1.Book"))
        let properties = try #require(book["properties"] as? [String: Any])
        // JSON names, json_name honoured.
        #expect(properties["pageCount"] != nil && properties["isbn13"] != nil && properties["page_count"] == nil)
        #expect(Support.at(properties, "id", "type") as? String == "string")
        #expect(Support.at(properties, "id", "format") as? String == "int64")
        #expect(Support.at(properties, "coverThumbnail", "contentEncoding") as? String == "base64")
        #expect(Support.at(properties, "genre", "$ref") as? String == "#/components/schemas/bookstore.v1.Genre")
        #expect(Support.at(properties, "labels", "additionalProperties", "type") as? String == "string")
        #expect(Support.at(properties, "reviews", "propertyNames", "pattern") as? String == "^-?[0-9]+$")
        // The oneof availability: at most one of its members.
        let branches = try #require(book["oneOf"] as? [[String: Any]])
        #expect(branches.count == 4)
        #expect(branches[0]["required"] as? [String] == ["stock"])
        let stock = try #require(Self.schema(document, "bookstore.v1.Book.Stock"))
        #expect(Support.at(stock, "properties", "copies", "maximum") as? Int == 4_294_967_295)
        #expect(Support.at(stock, "properties", "copies", "minimum") as? Int == 0)
        let genre = try #require(Self.schema(document, "bookstore.v1.Genre"))
        #expect((genre["enum"] as? [String])?.first == "GENRE_UNSPECIFIED")
    }

    @Test func wellKnownTypesHaveTheirJSONForms() throws {
        let document = try Self.bookstoreProto
        #expect(Support.at(Self.schema(document, "google.protobuf.Timestamp"), "format") as? String == "date-time")
        #expect(Self.schema(document, "google.protobuf.Duration")?["pattern"] != nil)
        #expect(Support.at(Self.schema(document, "google.protobuf.FieldMask"), "type") as? String == "string")
        #expect(Support.at(Self.schema(document, "google.protobuf.Struct"), "type") as? String == "object")
        #expect(Support.at(Self.schema(document, "google.protobuf.ListValue"), "type") as? String == "array")
        let wrapper = try #require(Self.schema(document, "google.protobuf.StringValue")?["anyOf"] as? [[String: Any]])
        #expect(wrapper.map { $0["type"] as? String } == ["string", "null"])
    }

    @Test func googleAPIHTTPBindingsBecomeOperations() throws {
        let document = try Self.bookstoreProto
        let paths = try #require(document["paths"] as? [String: Any])
        // {name=shelves/*/books/*} spans segments: one placeholder per wildcard.
        let getBook = try #require(
            Support.at(paths, "/v1/shelves/{name.shelves}/books/{name.books}", "get") as? [String: Any])
        let parameters = try #require(getBook["parameters"] as? [[String: Any]])
        #expect(parameters.contains { $0["name"] as? String == "name.books" && $0["in"] as? String == "path" })
        #expect(parameters.contains { $0["name"] as? String == "readMask" && $0["in"] as? String == "query" })
        // additional_bindings: PATCH (body "book") and PUT (body "*"); {book.name=...} has the shape of
        // {name=...}, so the three methods share one path and its placeholder names.
        let bookPath = try #require(
            Support.at(paths, "/v1/shelves/{name.shelves}/books/{name.books}") as? [String: Any])
        #expect(
            bookPath["get"] != nil && bookPath["patch"] != nil && bookPath["put"] != nil && bookPath["delete"] != nil)
        #expect(
            Support.at(bookPath, "put", "requestBody", "content", "application/json", "schema", "$ref") as? String
                == "#/components/schemas/bookstore.v1.UpdateBookRequest")
        // Nested query fields with dotted names; a body field leaves the rest to the query.
        let listBooks = try #require(
            Support.at(paths, "/v1/shelves/{shelf}/books", "get", "parameters") as? [[String: Any]])
        #expect(listBooks.contains { $0["name"] as? String == "filter.tags" })
        let createBook = try #require(Support.at(paths, "/v1/shelves/{shelf}/books", "post") as? [String: Any])
        #expect(
            Support.at(createBook, "requestBody", "content", "application/json", "schema", "$ref") as? String
                == "#/components/schemas/bookstore.v1.Book")
        #expect(
            (createBook["parameters"] as? [[String: Any]])?.contains { $0["name"] as? String == "requestId" } == true)
        // response_body: the reply is the cover field.
        let cover = try #require(
            Support.at(paths, "/v1/shelves/{name.shelves}/books/{name.books}/cover", "get") as? [String: Any])
        #expect(
            Support.at(cover, "responses", "200", "content", "application/json", "schema", "$ref") as? String
                == "#/components/schemas/bookstore.v1.Cover")
        // Server streams: SSE and NDJSON.
        let watch = try #require(
            Support.at(paths, "/v1/shelves/{shelf}:watch", "get", "responses", "200", "content") as? [String: Any])
        #expect(watch["text/event-stream"] != nil && watch["application/x-ndjson"] != nil)
        // The generic route and the error default.
        let generic = try #require(Support.at(paths, "/bookstore.v1.Bookstore/ListShelves", "post") as? [String: Any])
        #expect(Support.at(generic, "responses", "default", "$ref") as? String == "#/components/responses/Error")
        #expect(Self.schema(document, "portico.Error")?["required"] as? [String] == ["code", "message"])
    }

    @Test func thriftAnnotationsBecomeParametersBodiesAndResponses() throws {
        let document = try Self.bookstoreThrift
        let paths = try #require(document["paths"] as? [String: Any])
        // Only the outermost service is routed (BookstoreAdmin extends Bookstore extends Health).
        let getBook = try #require(Support.at(paths, "/v1/shelves/{shelf}/books/{id}", "get") as? [String: Any])
        let parameters = try #require(getBook["parameters"] as? [[String: Any]])
        #expect(parameters.contains { $0["name"] as? String == "fields" && $0["in"] as? String == "query" })
        #expect(parameters.contains { $0["name"] as? String == "If-None-Match" && $0["in"] as? String == "header" })
        let id = try #require(parameters.first { $0["name"] as? String == "id" })
        #expect(Support.at(id, "schema", "format") as? String == "int64")
        // The reply: api.http_code's default is the status; headers and cookies; declared exception under 404.
        let responses = try #require(getBook["responses"] as? [String: Any])
        #expect(Support.at(responses, "200", "headers", "ETag") != nil)
        #expect(Support.at(responses, "200", "headers", "Set-Cookie") != nil)
        let replyBody = try #require(
            Support.at(responses, "200", "content", "application/json", "schema", "properties") as? [String: Any])
        #expect(Set(replyBody.keys) == ["book"], "status, etag, session and backend_trace are not in the body")
        let notFound = try #require(
            Support.at(responses, "404", "content", "application/json", "schema", "anyOf") as? [[String: Any]])
        #expect(
            notFound.first?["$ref"] as? String
                == "#/components/schemas/portico.DeclaredException.bookstore_common.BookNotFound")
        // Raw body, forms, cookies.
        let upload = try #require(
            Support.at(paths, "/v1/shelves/{shelf}/books/{id}/cover", "put", "requestBody", "content") as? [String: Any]
        )
        #expect(upload["application/octet-stream"] != nil)
        let review = try #require(
            Support.at(paths, "/v1/shelves/{shelf}/books/{id}/reviews", "post", "requestBody", "content")
                as? [String: Any])
        #expect(review["multipart/form-data"] != nil && review["application/x-www-form-urlencoded"] != nil)
        let create = try #require(Support.at(paths, "/v1/shelves", "post") as? [String: Any])
        #expect((create["parameters"] as? [[String: Any]])?.contains { $0["in"] as? String == "cookie" } == true)
        #expect(
            Support.at(create, "requestBody", "content", "application/json", "schema", "required") as? [String] == [
                "theme"
            ])
        // Health.Ping's GET /healthz is the gateway's own health endpoint: listed as shadowed, not as a path.
        #expect(paths["/healthz"] == nil)
        #expect((document["x-portico-shadowed-routes"] as? [String])?.contains { $0.hasPrefix("GET /healthz") } == true)
        // Catch-all path parameter.
        #expect(Support.at(paths, "/v1/assets/{path}", "get") != nil)
        // Structs: required fields, api.key, unions as exactly one member, enums as numbers or names.
        let book = try #require(Self.schema(document, "bookstore.Book"))
        #expect(book["required"] as? [String] == ["title"])
        // api.js_conv: Book.id travels as a string.
        #expect(Support.at(book, "properties", "id", "type") as? String == "string")
        #expect(Support.at(book, "properties", "ISBN") != nil)
        #expect(
            Support.at(book, "properties", "prices", "additionalProperties", "$ref") as? String
                == "#/components/schemas/bookstore_common.Money")
        let availability = try #require(Self.schema(document, "bookstore_common.Availability"))
        #expect((availability["oneOf"] as? [Any])?.count == 3)
        let genre = try #require(Self.schema(document, "bookstore_common.Genre")?["anyOf"] as? [[String: Any]])
        #expect(genre.map { $0["type"] as? String } == ["integer", "string"])
        // The generic route of an inherited method, with a non-struct result.
        #expect(
            Support.at(
                paths, "/bookstore.BookstoreAdmin/Reindex", "post", "responses", "200", "content", "application/json",
                "schema", "format")
                as? String == "int32")
    }

    /// Every example and benchmark descriptor with services, as openapi-spec-validator reads it.
    static let validationCases: [(name: String, path: String, include: [String])] = [
        ("bookstore.proto", Fixtures.descriptors + "/bookstore.proto", [Fixtures.descriptors]),
        ("bookstore.pb", Fixtures.descriptors + "/bookstore.pb", []),
        ("bookstore.thrift", Fixtures.descriptors + "/bookstore.thrift", []),
        ("baseline.proto", Fixtures.descriptors + "/baseline.proto", [Fixtures.descriptors]),
        ("baseline.pb", Fixtures.descriptors + "/baseline.pb", []),
        ("baseline.thrift", Fixtures.descriptors + "/baseline.thrift", []),
        ("demo/inventory.proto", Fixtures.descriptors + "/demo/inventory.proto", [Fixtures.descriptors]),
        ("bench/echo.proto", Fixtures.descriptors + "/bench/echo.proto", [Fixtures.descriptors]),
        (
            "call_baseline.thrift",
            Repo.root.appendingPathComponent("Benchmarks/CallReference/call_baseline.thrift").path, []
        ),
    ]

    @Test func everyExampleAndBenchmarkDocumentIsValidOpenAPI31() async throws {
        var documents: [(name: String, bytes: [UInt8])] = []
        var operations = 0
        for item in Self.validationCases {
            documents.append((item.name, try OpenAPIDocument.generate(schemaPath: item.path, include: item.include)))
        }
        // The Thrift services one by one too: inherited routes in each.
        for service in ["Health", "Bookstore"] {
            documents.append(
                (
                    "bookstore.thrift " + service,
                    try OpenAPIDocument.generate(
                        schemaPath: Fixtures.descriptors + "/bookstore.thrift", services: [service])
                ))
        }
        for document in documents {
            let paths = try #require(try Support.object(document.bytes)["paths"] as? [String: [String: Any]])
            operations += paths.values.reduce(0) { $0 + $1.count }
        }
        let result = try await Support.validate(documents)
        #expect(result.status == 0, "\(result.output)\(result.errors) (\(Support.installHint))")
        #expect(result.output.components(separatedBy: "valid ").count - 1 == documents.count, "\(result.output)")
        #expect(operations > 60, "\(operations) operations")
        try "\(documents.count) documents, \(operations) operations\n\(result.output)".write(
            toFile: Support.artifacts + "/spec-validator.txt", atomically: true, encoding: .utf8)
    }

    @Test func anUnknownServiceNamesTheServicesThereAre() throws {
        #expect {
            _ = try OpenAPIDocument.generate(schemaPath: Fixtures.descriptors + "/bookstore.thrift", services: ["Nope"])
        } throws: { error in
            "\(error)".contains("bookstore.BookstoreAdmin")
        }
        #expect(throws: GatewayError.self) {
            _ = try OpenAPIDocument.generate(schemaPath: Fixtures.descriptors + "/missing.proto")
        }
    }
}
