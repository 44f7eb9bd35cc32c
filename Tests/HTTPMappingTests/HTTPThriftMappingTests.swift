import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec
@testable import HTTPMapping

/// Apache Thrift's Python runtime decoding the argument structs we build and encoding the replies we map.
enum ThriftHTTPPeer {
    /// `thrift -r --gen py` output for a file, generated once per file.
    static func generate(_ file: String) throws -> String {
        let gen = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-thrift-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: gen, withIntermediateDirectories: true)
        try runPeer("thrift", ["-r", "--gen", "py", "-out", gen.path, file])
        return gen.path
    }

    static let script = Repo.root.appendingPathComponent("Tests/peers/thrift_http_peer.py").path

    struct Entry {
        var module: String
        var structName: String
        var encoding: ThriftProtocol
        var bytes: [UInt8] = []
        var value: String = "{}"
    }

    /// Each struct decoded by Apache, as canonical JSON text (or `{"error": ...}`).
    static func decode(_ entries: [Entry], gen: String) throws -> [String] {
        let input = entries.map { entry -> [String: String] in
            [
                "module": entry.module, "struct": entry.structName, "protocol": entry.encoding.rawValue,
                "hex": entry.bytes.map { String(format: "%02x", $0) }.joined(),
            ]
        }
        let output = try runPeer(
            "python3", [script, "decode", "--gen", gen],
            input: [UInt8](try JSONSerialization.data(withJSONObject: input)))
        let results = try JSONSerialization.jsonObject(with: Data(output)) as! [Any]
        return try results.map { try canonical($0) }
    }

    /// Each value (JSON in the peer's shape) encoded by Apache.
    static func encode(_ entries: [Entry], gen: String) throws -> [[UInt8]] {
        let input = try entries.map { entry -> [String: Any] in
            [
                "module": entry.module, "struct": entry.structName, "protocol": entry.encoding.rawValue,
                "value": try JSONSerialization.jsonObject(with: Data(entry.value.utf8)),
            ]
        }
        let output = try runPeer(
            "python3", [script, "encode", "--gen", gen],
            input: [UInt8](try JSONSerialization.data(withJSONObject: input)))
        let results = try JSONSerialization.jsonObject(with: Data(output)) as! [Any]
        return try results.map { result in
            guard let hex = result as? String else {
                throw PeerFailure(description: "Apache could not encode: \(result)")
            }
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                bytes.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
            return bytes
        }
    }

    static func canonical(_ object: Any) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]),
            as: UTF8.self)
    }

    static func canonical(json: String) throws -> String {
        try canonical(try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]))
    }
}

@Suite(.serialized) struct HTTPThriftMappingTests {
    static let inlineIDL = """
        namespace py inline_http
        enum Color { RED = 1, GREEN = 2 }
        struct Point { 1: i32 x, 2: i32 y }
        struct Req {
            1: i8 tiny
            2: i16 small
            3: i32 medium
            4: i64 big (api.js_conv = "true")
            5: double ratio
            6: bool on
            7: Color color
            8: list<i64> ids
            9: set<string> names
            10: binary data
            11: Point point
            12: map<string, i32> counts
            13: string renamed (api.key = "Renamed")
            14: optional string opt
            15: string path_id (api.path = "id")
            16: required string token (api.header = "X-Token")
            17: list<Color> colors (api.header = "X-Colors")
        }
        service S {
            Req Get(1: Req req) (api.get = "/v1/things/:id")
            Req Post(1: Req req) (api.post = "/v1/things/:id")
            Req Multi(1: i32 a, 2: string b) (api.get = "/v1/multi")
        }
        """

    static let inline: (schema: ThriftSchema, file: String) = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-thrift-inline-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("inline.thrift")
        try! Data(inlineIDL.utf8).write(to: file)
        return (try! HTTPFixtures.thrift(inlineIDL), file.path)
    }()

    static let bookstoreTable: RouteTable = try! RouteTable([.thrift(HTTPFixtures.bookstoreThrift)])
    static let inlineTable: RouteTable = try! RouteTable([.thrift(inline.schema)])

    struct Case {
        var method: String
        var target: String
        var headers: [HTTPHeader] = []
        var body: [UInt8] = []
        var encoding: ThriftProtocol = .binary
        /// Python module and class of the arguments struct.
        var module: String
        var structName: String
        /// What Apache decodes (None fields left out; binary as "b64:...").
        var expected: String

        init(
            _ method: String, _ target: String, headers: [HTTPHeader] = [], body: String = "",
            encoding: ThriftProtocol = .binary, module: String = "bookstore.Bookstore", _ structName: String,
            _ expected: String
        ) {
            self.method = method
            self.target = target
            self.headers = headers
            self.body = Array(body.utf8)
            self.encoding = encoding
            self.module = module
            self.structName = structName
            self.expected = expected
        }
    }

    static let multipartBody: [UInt8] =
        Array(
            ("--B\r\nContent-Disposition: form-data; name=\"reviewer\"\r\n\r\nann\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"stars\"\r\n\r\n4\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").utf8) + [0xFF, 0xD8, 0x00] + Array("\r\n--B--\r\n".utf8)

    static var bookstoreCases: [Case] {
        var cases: [Case] = [
            .init(
                "GET", "/v1/shelves?page_size=5&page_token=abc", headers: [HTTPHeader("X-Request-Id", "r1")],
                "ListShelves_args", #"{"req":{"page_size":5,"page_token":"abc","request_id":"r1"}}"#),
            .init("GET", "/v1/shelves", "ListShelves_args", #"{"req":{"page_size":20}}"#),
            // Lists from repeated keys and commas; enums by name or number; headers and cookies.
            .init(
                "GET", "/v1/shelves/7/books?genre=FICTION&genre=2&tag=a,b&tag=c&page_size=3",
                headers: [HTTPHeader("Accept-Language", "fr"), HTTPHeader("Cookie", "session=s1; other=x")],
                "ListBooks_args",
                #"{"req":{"shelf":7,"page_size":3,"genres":[1,2],"tags":["a","b","c"],"locale":"fr","session":"s1"}}"#),
            .init(
                "POST", "/v1/shelves",
                headers: [HTTPHeader("Authorization", "Bearer x"), HTTPHeader("Cookie", "session=abc")],
                body: #"{"theme":"sci-fi","labels":{"floor":"2"}}"#, "CreateShelf_args",
                #"{"req":{"theme":"sci-fi","labels":{"floor":"2"},"authorization":"Bearer x","session":"abc"}}"#),
            // A nested struct from the body: api.js_conv (id as a string), api.key (ISBN), sets.
            .init(
                "POST", "/v1/shelves/3/books", headers: [HTTPHeader("Idempotency-Key", "k")],
                body: #"{"book":{"title":"Dune","id":"42","genre":3,"tags":["b","a"],"ISBN":"978","in_print":false}}"#,
                "CreateBook_args",
                #"{"req":{"shelf":3,"book":{"id":42,"title":"Dune","genre":3,"tags":["a","b"],"isbn":"978","rating":0.0,"edition":1,"in_print":false},"idempotency_key":"k"}}"#
            ),
            .init(
                "GET", "/v1/shelves/3/books/42?fields=title,genre", headers: [HTTPHeader("If-None-Match", "\"e1\"")],
                "GetBook_args", #"{"req":{"shelf":3,"id":42,"fields":["title","genre"],"if_none_match":"\"e1\""}}"#),
            .init(
                "POST", "/v1/shelves/3/books/42/reviews",
                headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                body: "reviewer=ann&stars=5&text=great+book", "AddReview_args",
                #"{"req":{"shelf":3,"id":42,"reviewer":"ann","stars":5,"text":"great book"}}"#),
            .init(
                "GET", "/v1/assets/covers/2024/a%20b.png", "GetAsset_args", #"{"req":{"path":"covers/2024/a b.png"}}"#),
            // Unannotated fields of a PATCH come from the JSON body.
            .init(
                "PATCH", "/v1/shelves/9", body: #"{"theme":"new","labels":{"a":"b"},"unknown":1}"#, "UpdateShelf_args",
                #"{"req":{"shelf":9,"theme":"new","labels":{"a":"b"}}}"#),
            .init("DELETE", "/v1/shelves/9?force=true", "DeleteShelf_args", #"{"req":{"shelf":9,"force":true}}"#),
            .init(
                "GET", "/admin/v1/export?since=1700000000000", headers: [HTTPHeader("Authorization", "t")],
                module: "bookstore.BookstoreAdmin", "Export_args",
                #"{"req":{"since":1700000000000,"authorization":"t"}}"#),
            // The generic route: the body is the whole request struct.
            .init(
                "POST", "/bookstore.Bookstore/GetShelf", body: #"{"shelf":5,"force":true}"#, "GetShelf_args",
                #"{"req":{"shelf":5,"force":true}}"#),
            .init("GET", "/healthz", module: "bookstore.common.Health", "Ping_args", "{}"),
            .init(
                "POST", "/v1/views", headers: [HTTPHeader("User-Agent", "curl")], body: #"{"shelf":1,"id":2,"at":3}"#,
                "RecordView_args", #"{"event":{"shelf":1,"id":2,"at":3,"user_agent":"curl"}}"#),
        ]
        var upload = Case(
            "PUT", "/v1/shelves/3/books/42/cover", headers: [HTTPHeader("Content-Type", "image/png")],
            "UploadCover_args",
            #"{"req":{"shelf":3,"id":42,"content_type":"image/png","image":"b64:AAEC/w=="}}"#)
        upload.body = [0, 1, 2, 255]
        cases.append(upload)
        var multipart = Case(
            "POST", "/v1/shelves/3/books/42/reviews",
            headers: [HTTPHeader("Content-Type", "multipart/form-data; boundary=B")], "AddReview_args",
            #"{"req":{"shelf":3,"id":42,"reviewer":"ann","stars":4,"photo":"b64:/9gA"}}"#)
        multipart.body = multipartBody
        cases.append(multipart)
        // The same requests in the compact protocol.
        for index in [2, 4, 6, 14] {
            var compact = cases[index]
            compact.encoding = .compact
            cases.append(compact)
        }
        return cases
    }

    static var inlineCases: [Case] {
        let point = "%7B%22x%22%3A1%2C%22y%22%3A2%7D"
        var cases: [Case] = [
            .init(
                "GET",
                "/v1/things/x%2Fy?tiny=-5&small=300&medium=70000&big=9007199254740993&ratio=1.5&on=1"
                    + "&color=GREEN&ids=1,2&ids=3&names=b,a&data=hi&point=\(point)&counts=%7B%22a%22%3A1%7D"
                    + "&renamed=r&opt=o",
                headers: [HTTPHeader("X-Token", "t"), HTTPHeader("X-Colors", "RED, 2"), HTTPHeader("X-Colors", "1")],
                module: "inline_http.S", "Get_args",
                #"{"req":{"tiny":-5,"small":300,"medium":70000,"big":9007199254740993,"ratio":1.5,"on":true,"color":2,"ids":[1,2,3],"names":["a","b"],"data":"b64:aGk=","point":{"x":1,"y":2},"counts":{"a":1},"renamed":"r","opt":"o","path_id":"x/y","token":"t","colors":[1,2,1]}}"#
            ),
            .init(
                "POST", "/v1/things/7", headers: [HTTPHeader("X-Token", "t")],
                body: #"{"tiny":1,"Renamed":"r","point":{"x":3},"ids":[4],"data":"aGk=","big":"12","on":false}"#,
                module: "inline_http.S", "Post_args",
                #"{"req":{"tiny":1,"big":12,"on":false,"ids":[4],"data":"b64:aGk=","point":{"x":3},"renamed":"r","path_id":"7","token":"t"}}"#
            ),
            // Body keys come from the form fields when the body is a form.
            .init(
                "POST", "/v1/things/9",
                headers: [HTTPHeader("X-Token", "t"), HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                body: "tiny=2&Renamed=q&ids=5,6&on=false", module: "inline_http.S", "Post_args",
                #"{"req":{"tiny":2,"on":false,"ids":[5,6],"renamed":"q","path_id":"9","token":"t"}}"#),
            // A method without one struct argument binds the arguments struct itself.
            .init("GET", "/v1/multi?a=3&b=x", module: "inline_http.S", "Multi_args", #"{"a":3,"b":"x"}"#),
        ]
        for index in 0..<2 {
            var compact = cases[index]
            compact.encoding = .compact
            cases.append(compact)
        }
        return cases
    }

    func run(_ cases: [Case], table: RouteTable, gen: String) throws {
        var entries: [ThriftHTTPPeer.Entry] = []
        for test in cases {
            let parts = HTTPRequestParts(
                method: test.method, target: test.target, headers: test.headers, body: test.body)
            let match = try table.match(parts)
            let bytes = try match.request(parts, options: HTTPMappingOptions(thriftProtocol: test.encoding))
            guard case .thrift(let schema, _, let method) = match.route.target else {
                Issue.record("not a thrift route")
                continue
            }
            // Our own reader agrees the bytes are well formed.
            try ThriftValue(
                bytes: bytes, encoding: test.encoding, descriptor: schema.structs[method.argumentsIndex],
                schema: schema
            ).validate()
            entries.append(
                .init(module: test.module, structName: test.structName, encoding: test.encoding, bytes: bytes))
        }
        let decoded = try ThriftHTTPPeer.decode(entries, gen: gen)
        for (test, actual) in zip(cases, decoded) {
            #expect(
                actual == (try ThriftHTTPPeer.canonical(json: test.expected)),
                "\(test.method) \(test.target) (\(test.encoding))")
        }
    }

    @Test func bookstoreRequestsDecodeWithApacheThrift() throws {
        let gen = try ThriftHTTPPeer.generate(Repo.descriptors + "/bookstore.thrift")
        defer { try? FileManager.default.removeItem(atPath: gen) }
        try run(Self.bookstoreCases, table: Self.bookstoreTable, gen: gen)
    }

    @Test func inlineRequestsDecodeWithApacheThrift() throws {
        let gen = try ThriftHTTPPeer.generate(Self.inline.file)
        defer { try? FileManager.default.removeItem(atPath: gen) }
        try run(Self.inlineCases, table: Self.inlineTable, gen: gen)
    }

    @Test func readBackWithThriftValue() throws {
        let parts = HTTPRequestParts(
            method: "GET", target: "/v1/shelves/7/books?genre=MYSTERY&tag=x",
            headers: [HTTPHeader("Cookie", "session=s")])
        let match = try Self.bookstoreTable.match(parts)
        let schema = HTTPFixtures.bookstoreThrift
        let args = try schema.requireStruct(named: "bookstore.Bookstore.ListBooks_args")
        for encoding in ThriftProtocol.allCases {
            let value = try ThriftValue(
                bytes: try match.request(parts, options: HTTPMappingOptions(thriftProtocol: encoding)),
                encoding: encoding, descriptor: args, schema: schema)
            #expect(try value.get("req.shelf")?.scalar == .i64(7))
            #expect(try value.get("req.genres[0]")?.scalar == .i32(2))
            #expect(try value.get("req.tags[0]")?.scalar == .string("x"))
            #expect(try value.get("req.session")?.scalar == .string("s"))
        }
    }

    struct ErrorCase {
        var method: String
        var target: String
        var headers: [HTTPHeader] = []
        var body = ""
        var strict = false
        var code: CodecError.Code
        var path: String?
        var message: String
        var offset: Int?
    }

    static let errorCases: [ErrorCase] = [
        .init(
            method: "GET", target: "/v1/shelves?page_size=abc", code: .invalidArgument,
            path: "query parameter 'page_size'",
            message: "query parameter 'page_size': 'abc' is not an i32 (field 'page_size', i32)"),
        .init(
            method: "GET", target: "/v1/shelves/x", code: .invalidArgument, path: "path parameter 'shelf'",
            message: "path parameter 'shelf': 'x' is not an i64 (field 'shelf', bookstore_common.ShelfId)"),
        .init(
            method: "GET", target: "/v1/shelves/7/books?genre=NOPE", code: .invalidArgument,
            path: "query parameter 'genre'",
            message: "query parameter 'genre': 'NOPE' is not a value of bookstore_common.Genre"),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"theme": }"#, code: .invalidJSON, path: nil,
            message: "expected a number at byte 10", offset: 10),
        .init(
            method: "POST", target: "/v1/shelves", body: "[1]", code: .invalidArgument, path: "body",
            message: "body: expected a JSON object"),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"labels":{}}"#, code: .missingRequiredField,
            path: "body key 'theme'", message: "required field 'theme' is missing: expected in the body key 'theme'"),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"theme": 5}"#, code: .invalidArgument,
            path: "body key 'theme'", message: "body key 'theme': ", offset: 10),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"theme":"a","theme":"b"}"#, code: .invalidArgument,
            path: "body key 'theme'", message: "body key 'theme': the key appears twice"),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"theme":"a","nope":1}"#, strict: true,
            code: .unknownField, path: "body key 'nope'", message: "the request has no field for body key 'nope'"),
        .init(
            method: "POST", target: "/v1/shelves/3/books", body: #"{"book":{"id":"1"}}"#, code: .missingRequiredField,
            path: "body key 'book'.title", message: "body key 'book': required field 'title'"),
        .init(
            method: "POST", target: "/v1/shelves/3/books/4/reviews",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: "reviewer=a&stars=300", code: .invalidArgument, path: "form field 'stars'",
            message: "form field 'stars': '300' is not an i8 (field 'stars', i8)"),
        .init(
            method: "POST", target: "/v1/shelves/3/books/4/reviews",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: "stars=3", code: .missingRequiredField, path: "form field 'reviewer'",
            message: "required field 'reviewer' is missing: expected in the form field 'reviewer'"),
    ]

    @Test func errors() throws {
        for test in Self.errorCases {
            let parts = HTTPRequestParts(
                method: test.method, target: test.target, headers: test.headers,
                body: Array(test.body.utf8))
            let match = try Self.bookstoreTable.match(parts)
            let error = HTTPFixtures.error { () throws(CodecError) in
                _ = try match.request(parts, options: HTTPMappingOptions(strict: test.strict))
            }
            let label = "\(test.method) \(test.target) \(test.body)"
            #expect(error?.code == test.code, "\(label): \(String(describing: error))")
            #expect(error?.path == test.path, "\(label): \(String(describing: error))")
            #expect(error?.message.hasPrefix(test.message) == true, "\(label): \(String(describing: error))")
            if let offset = test.offset { #expect(error?.offset == offset, "\(label)") }
        }
    }

    @Test func missingParametersAndHeaders() throws {
        let schema = HTTPFixtures.bookstoreThrift
        let method = try #require(schema.service(named: "bookstore.Bookstore")?.methods.first { $0.name == "GetShelf" })
        let error = HTTPFixtures.error { () throws(CodecError) in
            _ = try ThriftHTTPMapping.request(
                HTTPRequestParts(method: "GET", path: "/v1/shelves/1"), method: method,
                schema: schema)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "path parameter 'shelf'")
        let parts = HTTPRequestParts(method: "GET", target: "/v1/things/1")
        let headerError = HTTPFixtures.error { () throws(CodecError) in
            _ = try Self.inlineTable.match(parts).request(parts)
        }
        #expect(headerError?.code == .missingRequiredField)
        #expect(headerError?.path == "header 'X-Token'")
    }

    // MARK: Responses

    struct ReplyCase {
        var method: String
        var path: String
        var module = "bookstore.Bookstore"
        var result: String
        var value: String
        var status: Int
        var headers: [HTTPHeader] = []
        var cookies: [HTTPCookie] = []
        /// JSON compared canonically, or raw bytes.
        var json: String?
        var raw: [UInt8]?
    }

    static let replyCases: [ReplyCase] = [
        .init(
            method: "GET", path: "/v1/shelves/1/books/42", result: "GetBook_result",
            value:
                #"{"success":{"book":{"title":"Dune","id":42},"etag":"e1","status":201,"session":"s","backend_trace":"x"}}"#,
            status: 201, headers: [HTTPHeader("ETag", "e1"), HTTPHeader("Content-Type", "application/json")],
            cookies: [HTTPCookie("session", "s")],
            json: #"{"book":{"id":"42","title":"Dune","genre":1,"rating":0,"edition":1,"in_print":true}}"#),
        .init(
            method: "GET", path: "/v1/shelves/1/books/42", result: "GetBook_result",
            value: #"{"nf":{"status":404,"message":"no book","shelf":1,"id":2}}"#, status: 404,
            headers: [HTTPHeader("Content-Type", "application/json")],
            json:
                #"{"code":"DECLARED_EXCEPTION","message":"no book","details":{"name":"BookNotFound","value":{"status":404,"message":"no book","shelf":1,"id":2}}}"#
        ),
        .init(
            method: "POST", path: "/v1/shelves", result: "CreateShelf_result",
            value: #"{"invalid":{"message":"bad theme","violations":["theme"]}}"#, status: 400,
            headers: [HTTPHeader("Content-Type", "application/json")],
            json:
                #"{"code":"DECLARED_EXCEPTION","message":"bad theme","details":{"name":"InvalidRequest","value":{"status":400,"message":"bad theme","violations":["theme"]}}}"#
        ),
        .init(
            method: "GET", path: "/v1/shelves/1/books", result: "ListBooks_result",
            value: #"{"success":{"books":[{"title":"A","in_print":false}],"next_page_token":"n","total_size":5}}"#,
            status: 200, headers: [HTTPHeader("X-Total-Count", "5"), HTTPHeader("Content-Type", "application/json")],
            json: #"{"books":[{"title":"A","genre":1,"rating":0,"edition":1,"in_print":false}],"next_page_token":"n"}"#),
        .init(
            method: "GET", path: "/v1/shelves", result: "ListShelves_result",
            value: #"{"success":{"shelves":[{"id":1,"theme":"t"}],"next_page_token":"p"}}"#, status: 200,
            headers: [HTTPHeader("X-Next-Page-Token", "p"), HTTPHeader("Content-Type", "application/json")],
            json: #"{"shelves":[{"id":"1","theme":"t"}]}"#),
        .init(
            method: "GET", path: "/v1/assets/a.png", result: "GetAsset_result",
            value: #"{"success":{"content_type":"image/png","data":"b64:AAE="}}"#, status: 200,
            headers: [HTTPHeader("Content-Type", "image/png")], raw: [0, 1]),
        .init(
            method: "GET", path: "/healthz", module: "bookstore.common.Health", result: "Ping_result",
            value: #"{"success":true}"#, status: 200, headers: [HTTPHeader("Content-Type", "application/json")],
            json: "true"),
        .init(
            method: "DELETE", path: "/v1/shelves/1", result: "DeleteShelf_result", value: "{}", status: 200,
            headers: [HTTPHeader("Content-Type", "application/json")], json: "{}"),
        // The generic route ignores the HTTP annotations: the reply is its plain JSON.
        .init(
            method: "POST", path: "/bookstore.Bookstore/GetBook", result: "GetBook_result",
            value: #"{"success":{"etag":"e1","status":201,"backend_trace":"x"}}"#, status: 200,
            headers: [HTTPHeader("Content-Type", "application/json")],
            json: #"{"etag":"e1","status":201,"backend_trace":"x"}"#),
    ]

    @Test func repliesEncodedByApacheThrift() throws {
        let gen = try ThriftHTTPPeer.generate(Repo.descriptors + "/bookstore.thrift")
        defer { try? FileManager.default.removeItem(atPath: gen) }
        for encoding in ThriftProtocol.allCases {
            let encoded = try ThriftHTTPPeer.encode(
                Self.replyCases.map {
                    .init(module: $0.module, structName: $0.result, encoding: encoding, value: $0.value)
                },
                gen: gen)
            for (test, bytes) in zip(Self.replyCases, encoded) {
                let label = "\(test.method) \(test.path) \(test.value) (\(encoding))"
                let match = try Self.bookstoreTable.match(method: test.method, path: test.path)
                let response = try match.response(bytes, options: HTTPMappingOptions(thriftProtocol: encoding))
                #expect(response.status == test.status, "\(label)")
                #expect(response.headers == test.headers, "\(label)")
                #expect(response.cookies == test.cookies, "\(label)")
                if let json = test.json {
                    #expect(
                        try ThriftHTTPPeer.canonical(json: String(decoding: response.body, as: UTF8.self))
                            == ThriftHTTPPeer.canonical(json: json), "\(label)")
                }
                if let raw = test.raw { #expect(response.body == raw, "\(label)") }
            }
        }
    }

    @Test func badReplies() throws {
        let match = try Self.bookstoreTable.match(method: "GET", path: "/v1/shelves/1/books/42")
        // Neither a result nor an exception for a method that returns something.
        let empty = HTTPFixtures.error { () throws(CodecError) in _ = try match.response([0]) }
        #expect(empty?.code == .badBackendReply)
        let truncated = HTTPFixtures.error { () throws(CodecError) in _ = try match.response([12, 0, 0, 11, 0, 2]) }
        #expect(truncated?.code == .badBackendReply)
        // A status outside 100...599.
        var writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.struct, id: 0)
        writer.writeFieldHeader(.i32, id: 3)
        writer.writeI32(42)
        writer.writeStop()
        writer.writeStop()
        let status = HTTPFixtures.error { () throws(CodecError) in _ = try match.response(writer.bytes) }
        #expect(status?.code == .badBackendReply)
        #expect(status?.message.contains("not an HTTP status") == true)
    }

    @Test func jsonRenderingOptions() throws {
        let match = try Self.bookstoreTable.match(method: "GET", path: "/v1/shelves/1/books")
        var writer = ThriftBinaryWriter()
        writer.writeFieldHeader(.struct, id: 0)
        writer.writeFieldHeader(.list, id: 1)
        writer.writeListHeader(.struct, count: 1)
        writer.writeFieldHeader(.i32, id: 4)
        writer.writeI32(2)
        writer.writeStop()
        writer.writeStop()
        writer.writeStop()
        var options = HTTPMappingOptions()
        options.thriftJSON.enumsAsNames = true
        let response = try match.response(writer.bytes, options: options)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"books":[{"genre":"MYSTERY"}]}"#)
    }
}
