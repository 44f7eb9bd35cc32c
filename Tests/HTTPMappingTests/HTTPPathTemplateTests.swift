import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec
@testable import HTTPMapping

/// Schemas and helpers shared by the HTTP mapping tests.
enum HTTPFixtures {
    static let bookstoreProto: ProtoSchema = try! ProtoSchema(descriptorSet: Protoc.descriptorSet("bookstore.proto"))
    static let bookstoreThrift: ThriftSchema = try! ThriftSchema(
        thriftFiles: ["bookstore.thrift"], source: ThriftFileSource(directories: [Repo.descriptors]))

    /// An inline .proto written to a temporary directory (for protoc) and loaded with our parser.
    static func proto(_ name: String, _ text: String) throws -> (schema: ProtoSchema, directory: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        let schema = try ProtoSchema(protoFiles: [name], source: ProtoFileSource(files: [name: text]))
        return (schema, directory.path)
    }

    static func thrift(_ text: String) throws -> ThriftSchema {
        try ThriftSchema(thriftFiles: ["inline.thrift"], source: ThriftFileSource(files: ["inline.thrift": text]))
    }

    /// Runs `body`, expecting a CodecError; returns it.
    static func error(_ body: () throws(CodecError) -> Void) -> CodecError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}

@Suite struct HTTPPathTemplateTests {
    struct TemplateCase: Sendable, CustomStringConvertible {
        var template: String
        var path: String
        /// nil: no match.
        var bindings: [String: String]?
        var description: String { "\(template) ~ \(path)" }
    }

    static let matching: [TemplateCase] = [
        .init(template: "/v1/shelves", path: "/v1/shelves", bindings: [:]),
        .init(template: "/v1/shelves", path: "/v1/shelves/", bindings: nil),
        .init(template: "/v1/shelves/{shelf}", path: "/v1/shelves/12", bindings: ["shelf": "12"]),
        .init(template: "/v1/shelves/{shelf}", path: "/v1/shelves/12/books", bindings: nil),
        .init(template: "/v1/{name=shelves/*}", path: "/v1/shelves/3", bindings: ["name": "shelves/3"]),
        .init(
            template: "/v1/{name=shelves/*/books/*}", path: "/v1/shelves/1/books/42",
            bindings: ["name": "shelves/1/books/42"]),
        .init(template: "/v1/{name=shelves/*/books/*}", path: "/v1/shelves/1/cds/42", bindings: nil),
        // Multi-segment variables keep %2F; everything else is decoded.
        .init(
            template: "/v1/{name=shelves/*/books/*}", path: "/v1/shelves/1/books/a%2Fb%20c",
            bindings: ["name": "shelves/1/books/a%2Fb c"]),
        // A one-segment variable is decoded fully.
        .init(template: "/v1/books/{id}", path: "/v1/books/a%2Fb%20c", bindings: ["id": "a/b c"]),
        .init(template: "/v1/books/{id=*}", path: "/v1/books/%E4%BD%A0", bindings: ["id": "你"]),
        // `+` is literal in paths.
        .init(template: "/v1/books/{id}", path: "/v1/books/a+b", bindings: ["id": "a+b"]),
        .init(template: "/v1/{name=**}", path: "/v1/a/b/c", bindings: ["name": "a/b/c"]),
        .init(template: "/v1/{name=**}", path: "/v1", bindings: ["name": ""]),
        .init(template: "/v1/files/**", path: "/v1/files/x/y", bindings: [:]),
        .init(template: "/v1/*/x", path: "/v1/anything/x", bindings: [:]),
        .init(
            template: "/v1/{book.name=shelves/*/books/*}", path: "/v1/shelves/1/books/2",
            bindings: ["book.name": "shelves/1/books/2"]),
        .init(
            template: "/v1/{name=shelves/*/books/*}:publish", path: "/v1/shelves/1/books/42:publish",
            bindings: ["name": "shelves/1/books/42"]),
        .init(template: "/v1/{name=shelves/*/books/*}:publish", path: "/v1/shelves/1/books/42", bindings: nil),
        .init(template: "/v1/{name=shelves/*/books/*}:publish", path: "/v1/shelves/1/books/42:print", bindings: nil),
        .init(template: "/v1/shelves/{shelf}:watch", path: "/v1/shelves/5:watch", bindings: ["shelf": "5"]),
        .init(template: "/v1/{name=**}:undelete", path: "/v1/a/b:undelete", bindings: ["name": "a/b"]),
        .init(template: "/v1/{a}/{b.c}/{d=x/*}", path: "/v1/1/2/x/3", bindings: ["a": "1", "b.c": "2", "d": "x/3"]),
        .init(template: "/", path: "/", bindings: [:]),
        .init(template: "/v1/shelves/{shelf}", path: "/v1/shelves/%zz", bindings: nil),
    ]

    @Test(arguments: matching)
    func templateMatching(_ test: TemplateCase) throws {
        let template = try HTTPPathTemplate(parsing: test.template)
        let bindings = template.match(test.path).map {
            Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0.value) })
        }
        #expect(bindings == test.bindings)
    }

    @Test func templateStructure() throws {
        let template = try HTTPPathTemplate(parsing: "/v1/{book.name=shelves/*/books/*}/{x}:publish")
        #expect(template.variables == ["book.name", "x"])
        #expect(template.verb == "publish")
        #expect(template.pattern.shape == "/v1/shelves/*/books/*/*:publish")
        #expect(template.pattern.captures[0].decoding == .keepingEncodedSlash)
        #expect(template.pattern.captures[1].decoding == .full)
    }

    static let malformed: [(String, String)] = [
        ("v1/shelves", "starts with '/'"),
        ("/v1/{name=**}/x", "'**' must be the last segment"),
        ("/v1/{a=x/{b}}", "variables cannot nest"),
        ("/v1/{a.}", "is not a field path"),
        ("/v1/{1a}", "is not a field path"),
        ("/v1/{a}/{a}", "appears twice"),
        ("/v1/{a", "expected '}'"),
        ("/v1//x", "empty segment"),
        ("/v1/x:", "a verb is a literal"),
        ("/v1/x:a/b", "a verb is a literal"),
        ("/v1/x}", "unexpected '}'"),
    ]

    @Test(arguments: malformed)
    func malformedTemplates(_ template: String, _ problem: String) {
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try HTTPPathTemplate(parsing: template) }
        #expect(error?.code == .schemaError)
        #expect(error?.message.contains(problem) == true, "\(String(describing: error))")
        #expect(error?.message.contains(template) == true)
    }

    @Test func hertzPatterns() throws {
        let pattern = try HertzPathPattern.parse("/v1/shelves/:shelf/books/:id")
        #expect(pattern.shape == "/v1/shelves/*/books/*")
        #expect(pattern.captures.map(\.name) == ["shelf", "id"])
        let rest = try HertzPathPattern.parse("/v1/assets/*path")
        #expect(rest.shape == "/v1/assets/**")
        #expect(try HertzPathPattern.parse("/").segments.isEmpty)
        for bad in ["v1", "/v1/*rest/x", "/v1/:", "/v1/:a/:a", "/v1//x"] {
            #expect(throws: CodecError.self, "\(bad)") { try HertzPathPattern.parse(bad) }
        }
    }

    @Test func queryStrings() throws {
        let request = HTTPRequestParts(method: "GET", target: "/x?a=1&b=x+y%21&c&&d=%E4%BD%A0&a=2#frag")
        #expect(request.path == "/x")
        #expect(
            try request.queryItems() == [
                HTTPQueryItem("a", "1"), HTTPQueryItem("b", "x y!"), HTTPQueryItem("c", ""), HTTPQueryItem("d", "你"),
                HTTPQueryItem("a", "2"),
            ])
        let bad = HTTPRequestParts(method: "GET", target: "/x?good=1&page=%G1")
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try bad.queryItems() }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "query parameter 'page'")
    }

    @Test func cookiesAndHeaders() {
        let request = HTTPRequestParts(
            method: "GET", path: "/",
            headers: [
                HTTPHeader("cookie", "a=1; session=\"abc\""), HTTPHeader("Cookie", "b=x=y"),
                HTTPHeader("Content-Type", "Application/JSON; charset=utf-8"),
            ])
        #expect(request.cookies == [HTTPCookie("a", "1"), HTTPCookie("session", "abc"), HTTPCookie("b", "x=y")])
        #expect(request.cookie("session") == "abc")
        #expect(request.mediaType == "application/json")
        #expect(request.header("CONTENT-TYPE") == "Application/JSON; charset=utf-8")
    }

    @Test func forms() throws {
        let urlencoded = HTTPRequestParts(
            method: "POST", path: "/", headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("reviewer=ann+lee&stars=5&text=%C3%A9".utf8))
        #expect(try urlencoded.formFields()?.map(\.name) == ["reviewer", "stars", "text"])
        #expect(
            try urlencoded.formFields()?.map { String(decoding: $0.value, as: UTF8.self) } == ["ann lee", "5", "é"])

        let body =
            Array(
                ("--XyZ\r\nContent-Disposition: form-data; name=\"reviewer\"\r\n\r\nann\r\n"
                    + "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n").utf8) + [0, 1, 13, 10, 255] + Array("\r\n--XyZ--\r\n".utf8)
        let multipart = HTTPRequestParts(
            method: "POST", path: "/", headers: [HTTPHeader("Content-Type", "multipart/form-data; boundary=\"XyZ\"")],
            body: body)
        let fields = try #require(try multipart.formFields())
        #expect(fields.count == 2)
        #expect(fields[0] == HTTPFormField(name: "reviewer", value: Array("ann".utf8)))
        #expect(
            fields[1]
                == HTTPFormField(
                    name: "photo", value: [0, 1, 13, 10, 255], fileName: "a.png",
                    contentType: "image/png"))

        let broken = HTTPRequestParts(
            method: "POST", path: "/", headers: [HTTPHeader("Content-Type", "multipart/form-data; boundary=XyZ")],
            body: Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end".utf8))
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try broken.formFields() }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "body")
        let json = HTTPRequestParts(
            method: "POST", path: "/", headers: [HTTPHeader("Content-Type", "application/json")])
        #expect(try json.formFields() == nil)
    }
}
