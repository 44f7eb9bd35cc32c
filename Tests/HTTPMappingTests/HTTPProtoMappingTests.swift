import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec
@testable import HTTPMapping

/// google.api.http request and response mapping, checked by decoding the produced request with protoc.
@Suite struct HTTPProtoMappingTests {
    static let inline = """
        syntax = "proto3";
        package h;
        import "google/api/annotations.proto";
        import "google/protobuf/wrappers.proto";
        import "google/protobuf/duration.proto";
        enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
        message Deep { string leaf = 1; repeated int32 nums = 2; }
        message Inner { string id = 1; Deep deep = 2; }
        message Req {
          string id = 1;
          Inner inner = 2;
          map<string, int32> counts = 3;
          map<int64, string> names = 4;
          bytes data = 5;
          google.protobuf.Int32Value limit = 6;
          google.protobuf.BoolValue flag = 7;
          google.protobuf.StringValue note = 8;
          google.protobuf.Duration timeout = 9;
          double ratio = 10;
          float small = 11;
          bool on = 12;
          uint64 big = 13;
          sint32 delta = 14;
          fixed64 fixed = 15;
          repeated int64 ids = 16;
          Color color = 17;
          repeated Color colors = 18;
          string rest = 19;
          repeated string tags = 20;
        }
        service S {
          rpc Query(Req) returns (Req) { option (google.api.http) = { get: "/v1/query/{id}" }; }
          rpc Nested(Req) returns (Req) { option (google.api.http) = { get: "/v1/{inner.deep.leaf}/{inner.id=items/*}" }; }
          rpc Files(Req) returns (Req) { option (google.api.http) = { get: "/v1/files/{rest=**}" }; }
          rpc Ids(Req) returns (Req) { option (google.api.http) = { post: "/v1/ids/{id}" body: "ids" }; }
          rpc Counts(Req) returns (Req) { option (google.api.http) = { post: "/v1/counts" body: "counts" }; }
          rpc Tags(Req) returns (Req) { option (google.api.http) = { put: "/v1/tags/{color}" body: "tags" }; }
          rpc Wrapped(Req) returns (Req) {
            option (google.api.http) = { post: "/v1/limit/{limit}/{on}/{timeout}" body: "inner" };
          }
          rpc OneId(Req) returns (Req) { option (google.api.http) = { get: "/v1/one/id" response_body: "id" }; }
          rpc OneIds(Req) returns (Req) { option (google.api.http) = { get: "/v1/one/ids" response_body: "ids" }; }
          rpc OneColor(Req) returns (Req) { option (google.api.http) = { get: "/v1/one/color" response_body: "color" }; }
          rpc OneInner(Req) returns (Req) { option (google.api.http) = { get: "/v1/one/inner" response_body: "inner" }; }
          rpc OneCounts(Req) returns (Req) { option (google.api.http) = { get: "/v1/one/counts" response_body: "counts" }; }
          rpc OneLimit(Req) returns (Req) { option (google.api.http) = { get: "/v1/one/limit" response_body: "limit" }; }
        }
        """

    static let inlineSchema: (schema: ProtoSchema, directory: String) = try! HTTPFixtures.proto("httpmap.proto", inline)
    static let bookstoreTable: RouteTable = try! RouteTable([.protobuf(HTTPFixtures.bookstoreProto)])
    static let inlineTable: RouteTable = try! RouteTable([.protobuf(inlineSchema.schema)])

    struct Case: Sendable, CustomStringConvertible {
        var method: String
        var target: String
        var body = ""
        var headers: [HTTPHeader] = []
        /// protoc's text format of the request, whitespace collapsed.
        var expected: String
        var description: String { "\(method) \(target)" }
    }

    static let bookstoreCases: [Case] = [
        .init(
            method: "GET", target: "/v1/shelves?page_size=10&pageToken=t%20x",
            expected: #"page_size: 10 page_token: "t x""#),
        .init(method: "GET", target: "/v1/shelves/5", expected: "shelf: 5"),
        .init(method: "DELETE", target: "/v1/shelves/5?force=true", expected: "shelf: 5 force: true"),
        // Nested fields by dotted names (proto and JSON names), lists by repeated keys, WKTs and enums from strings,
        // unknown parameters ignored.
        .init(
            method: "GET",
            target: "/v1/shelves/5/books?filter.genre=GENRE_FICTION&filter.tags=a&filter.tags=b"
                + "&filter.publishedAfter=2024-01-02T03:04:05.5Z&view=2&pageSize=7&filter.min_pages=100&utm=1",
            expected: """
                shelf: 5 page_size: 7 filter { genre: GENRE_FICTION tags: "a" tags: "b" min_pages: 100 \
                published_after { seconds: 1704164645 nanos: 500000000 } } view: BOOK_VIEW_FULL
                """),
        // body: "shelf" — the body is the shelf; query parameters inside the body field are ignored.
        .init(
            method: "POST", target: "/v1/shelves?shelf.theme=ignored",
            body:
                #"{"theme":"sci-fi","labels":{"floor":"2"},"createTime":"2024-01-01T00:00:00Z","loanPeriod":"3600s","bookCount":3}"#,
            expected: """
                shelf { theme: "sci-fi" labels { key: "floor" value: "2" } create_time { seconds: 1704067200 } \
                book_count: 3 loan_period { seconds: 3600 } }
                """),
        // The path wins over a query parameter naming the same field.
        .init(
            method: "POST", target: "/v1/shelves/3/books?request_id=r1&shelf=99",
            body: #"{"title":"Dune","isbn13":"978","pageCount":412}"#,
            expected: #"shelf: 3 book { title: "Dune" page_count: 412 isbn: "978" } request_id: "r1""#),
        // Field masks from comma-separated and repeated values, camelCase or snake_case paths.
        .init(
            method: "GET",
            target: "/v1/shelves/1/books/42?view=BOOK_VIEW_FULL&read_mask=title,pageCount&readMask=authors.displayName",
            expected: """
                name: "shelves/1/books/42" view: BOOK_VIEW_FULL read_mask { paths: "title" paths: "page_count" \
                paths: "authors.display_name" }
                """),
        // PATCH, body "book": book.name from the path merges into the body's book.
        .init(
            method: "PATCH", target: "/v1/shelves/1/books/42?update_mask=title,genre&allow_missing=1",
            body: #"{"title":"New","genre":"GENRE_POETRY"}"#,
            expected: """
                book { name: "shelves/1/books/42" title: "New" genre: GENRE_POETRY } \
                update_mask { paths: "title" paths: "genre" } allow_missing: true
                """),
        // PUT (additional binding, body "*"): the query is not read, the path overrides the body.
        .init(
            method: "PUT", target: "/v1/shelves/1/books/42?allow_missing=true",
            body: #"{"book":{"title":"T","name":"ignored"},"updateMask":"title"}"#,
            expected: #"book { name: "shelves/1/books/42" title: "T" } update_mask { paths: "title" }"#),
        .init(
            method: "POST", target: "/v1/shelves/1/books/42:publish",
            body:
                #"{"publishTime":"2024-05-01T00:00:00Z","formats":["FORMAT_EBOOK","FORMAT_AUDIOBOOK"],"extra":{"a":[1,true]}}"#,
            expected: """
                name: "shelves/1/books/42" publish_time { seconds: 1714521600 } formats: FORMAT_EBOOK \
                formats: FORMAT_AUDIOBOOK extra { struct_value { fields { key: "a" value { list_value { \
                values { number_value: 1 } values { bool_value: true } } } } } }
                """),
        .init(
            method: "GET", target: "/v1/shelves/1/books/42/cover?max_width=300",
            expected: #"name: "shelves/1/books/42" max_width: 300"#),
        .init(
            method: "GET", target: "/v1/shelves/2:watch?after_sequence=18446744073709551615",
            expected: "shelf: 2 after_sequence: 18446744073709551615"),
        // Multi-segment variables keep %2F.
        .init(
            method: "DELETE", target: "/v1/shelves/a%2Fb/books/c%20d?etag=%22x%22",
            expected: #"name: "shelves/a%2Fb/books/c d" etag: "\"x\"""#),
        // Generic route: the body is the whole request; the query is not read.
        .init(
            method: "POST", target: "/bookstore.v1.Bookstore/GetBook?view=BOOK_VIEW_FULL",
            body: #"{"name":"shelves/1/books/2","view":"BOOK_VIEW_BASIC","read_mask":"title"}"#,
            expected: #"name: "shelves/1/books/2" view: BOOK_VIEW_BASIC read_mask { paths: "title" }"#),
        .init(method: "POST", target: "/bookstore.v1.Bookstore/ListShelves", body: " \n", expected: ""),
    ]

    static let inlineCases: [Case] = [
        .init(
            method: "GET",
            target: "/v1/query/x%2Fy?counts[a]=1&counts[b]=2&names[5]=five&data=3q2-7w&limit=7&flag=false&note="
                + "&timeout=1.5s&ratio=NaN&small=0.25&on=T&big=18446744073709551615&delta=-3&fixed=9&ids=1&ids=-2"
                + "&color=GREEN&colors=2&colors=RED&inner.deep.nums=4&inner.deep.nums=5&tags=x&tags=y%2Cz",
            expected: """
                id: "x/y" inner { deep { nums: 4 nums: 5 } } counts { key: "a" value: 1 } \
                counts { key: "b" value: 2 } names { key: 5 value: "five" } data: "\\336\\255\\276\\357" \
                limit { value: 7 } flag { } note { } timeout { seconds: 1 nanos: 500000000 } ratio: nan \
                small: 0.25 on: true big: 18446744073709551615 delta: -3 fixed: 9 ids: 1 ids: -2 color: GREEN \
                colors: GREEN colors: RED tags: "x" tags: "y,z"
                """),
        .init(
            method: "GET", target: "/v1/leafy/items/42?inner.deep.nums=1",
            expected: #"inner { id: "items/42" deep { leaf: "leafy" nums: 1 } }"#),
        .init(method: "GET", target: "/v1/files/a/b%2Fc/d.txt", expected: #"rest: "a/b%2Fc/d.txt""#),
        .init(
            method: "POST", target: "/v1/ids/abc", body: #"[1, "2", -3]"#, expected: #"id: "abc" ids: 1 ids: 2 ids: -3"#
        ),
        .init(
            method: "POST", target: "/v1/counts?id=q", body: #"{"a":1,"b":2}"#,
            expected: #"id: "q" counts { key: "a" value: 1 } counts { key: "b" value: 2 }"#),
        .init(
            method: "PUT", target: "/v1/tags/GREEN", body: #"["p","q"]"#, expected: #"color: GREEN tags: "p" tags: "q""#
        ),
        .init(
            method: "POST", target: "/v1/limit/5/true/2s?id=z", body: #"{"id":"in","deep":{"leaf":"l"}}"#,
            expected:
                #"id: "z" inner { id: "in" deep { leaf: "l" } } limit { value: 5 } timeout { seconds: 2 } on: true"#),
    ]

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    func check(_ test: Case, table: RouteTable, file: String, include: String) throws {
        let parts = HTTPRequestParts(
            method: test.method, target: test.target, headers: test.headers,
            body: Array(test.body.utf8))
        let match = try table.match(parts)
        let bytes = try match.request(parts)
        guard case .protobuf(let schema, _, let method, _) = match.route.target else {
            Issue.record("not a protobuf route")
            return
        }
        let text = try Protoc.decode(schema.input(of: method).fullName, bytes, file: file, include: include)
        #expect(Self.normalized(text) == Self.normalized(test.expected))
        // Our own reader agrees on the bytes.
        try ProtoValue(bytes: bytes, descriptor: schema.input(of: method), schema: schema).validate()
    }

    @Test(arguments: bookstoreCases)
    func bookstoreRequests(_ test: Case) throws {
        try check(test, table: Self.bookstoreTable, file: "bookstore.proto", include: Repo.descriptors)
    }

    @Test(arguments: inlineCases)
    func inlineRequests(_ test: Case) throws {
        try check(test, table: Self.inlineTable, file: "httpmap.proto", include: Self.inlineSchema.directory)
    }

    @Test func readBackWithProtoValue() throws {
        let parts = HTTPRequestParts(
            method: "GET", target: "/v1/shelves/5/books?filter.tags=a&filter.tags=b&view=BOOK_VIEW_BASIC")
        let match = try Self.bookstoreTable.match(parts)
        let schema = HTTPFixtures.bookstoreProto
        let value = try ProtoValue(
            bytes: try match.request(parts),
            descriptor: try schema.requireMessage(named: "bookstore.v1.ListBooksRequest"),
            schema: schema)
        #expect(try value.get("shelf")?.scalar == .int64(5))
        #expect(try value.get("filter.tags[1]")?.scalar == .string("b"))
        #expect(try value.get("view")?.scalar == .enumValue(1))
    }

    struct ErrorCase: Sendable, CustomStringConvertible {
        var method: String
        var target: String
        var body = ""
        var strict = false
        var code: CodecError.Code
        var path: String?
        var message: String
        var offset: Int?
        var description: String { "\(method) \(target) \(body)" }
    }

    static let errorCases: [ErrorCase] = [
        .init(
            method: "GET", target: "/v1/shelves?page_size=abc", code: .invalidArgument,
            path: "query parameter 'page_size'",
            message: "query parameter 'page_size': 'abc' is not an int32 (field 'page_size', int32)"),
        .init(
            method: "GET", target: "/v1/shelves?page_size=99999999999", code: .invalidArgument,
            path: "query parameter 'page_size'",
            message: "query parameter 'page_size': '99999999999' is not an int32 (field 'page_size', int32)"),
        .init(
            method: "GET", target: "/v1/shelves?page_size=1&pageSize=2", code: .invalidArgument,
            path: "query parameter 'pageSize'",
            message: "query parameter 'pageSize': given 2 times but 'page_size' holds one value"),
        .init(
            method: "GET", target: "/v1/shelves/x", code: .invalidArgument, path: "path parameter 'shelf'",
            message: "path parameter 'shelf': 'x' is not an int64 (field 'shelf', int64)"),
        .init(
            method: "GET", target: "/v1/shelves/5/books?view=BOOK_VIEW_NOPE", code: .invalidArgument,
            path: "query parameter 'view'",
            message:
                "query parameter 'view': 'BOOK_VIEW_NOPE' is not a value of bookstore.v1.BookView (BOOK_VIEW_UNSPECIFIED, BOOK_VIEW_BASIC, BOOK_VIEW_FULL) (field 'view', enum)"
        ),
        .init(
            method: "GET", target: "/v1/shelves/5/books?filter.published_after=yesterday", code: .invalidArgument,
            path: "query parameter 'filter.published_after'",
            message:
                "query parameter 'filter.published_after': 'yesterday' is not an RFC 3339 timestamp like 2024-05-01T10:00:00Z"
        ),
        .init(
            method: "GET", target: "/v1/shelves/5/books?filter=x", code: .invalidArgument,
            path: "query parameter 'filter'",
            message:
                "query parameter 'filter': 'filter' is a message (bookstore.v1.ListBooksRequest.Filter): set its fields with dotted names"
        ),
        .init(
            method: "GET", target: "/v1/shelves/5/books?filter.genre=1&filter=x", code: .invalidArgument,
            path: "query parameter 'filter.genre'",
            message: "query parameter 'filter.genre': 'filter' is set both as a whole and through its fields"),
        .init(
            method: "GET", target: "/v1/shelves/5/books?view[x]=1", code: .invalidArgument,
            path: "query parameter 'view[x]'", message: "query parameter 'view[x]': 'view' is not a map"),
        .init(
            method: "GET", target: "/v1/shelves?nope=1", strict: true, code: .unknownField,
            path: "query parameter 'nope'",
            message: "query parameter 'nope': bookstore.v1.ListShelvesRequest has no such field"),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"theme": }"#, code: .invalidJSON, path: "body.theme",
            message: "unexpected character at byte 10", offset: 10),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"theme": 5}"#, code: .invalidArgument,
            path: "body.theme", message: "body: expected a string", offset: 10),
        .init(
            method: "POST", target: "/v1/shelves", body: #"{"nope": 5}"#, strict: true, code: .unknownField,
            path: "body.nope", message: "bookstore.v1.Shelf has no field 'nope'", offset: 1),
        .init(
            method: "PUT", target: "/v1/shelves/1/books/2", body: #"{"book": {"pageCount": "many"}}"#,
            code: .invalidArgument, path: "body.book.pageCount", message: "body: 'many' is not an integer",
            offset: 23),
    ]

    @Test(arguments: errorCases)
    func errors(_ test: ErrorCase) throws {
        let parts = HTTPRequestParts(method: test.method, target: test.target, body: Array(test.body.utf8))
        let match = try Self.bookstoreTable.match(parts)
        let error = HTTPFixtures.error { () throws(CodecError) in
            _ = try match.request(parts, options: HTTPMappingOptions(strict: test.strict))
        }
        #expect(error?.code == test.code)
        #expect(error?.path == test.path)
        #expect(error?.message.hasPrefix(test.message) == true, "\(String(describing: error?.message))")
        if let offset = test.offset { #expect(error?.offset == offset) }
    }

    @Test func bodyFieldErrorOffsetsAreTheBodys() throws {
        let parts = HTTPRequestParts(method: "POST", target: "/v1/ids/a", body: Array(#"[1, "x"]"#.utf8))
        let match = try Self.inlineTable.match(parts)
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try match.request(parts) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.offset == 4)
        #expect(error?.path == "body.ids[1]")
        let broken = HTTPRequestParts(method: "POST", target: "/v1/ids/a", body: Array("[1,".utf8))
        let jsonError = HTTPFixtures.error { () throws(CodecError) in
            _ = try Self.inlineTable.match(broken).request(broken)
        }
        #expect(jsonError?.code == .invalidJSON)
        #expect(jsonError?.offset == 3)
    }

    @Test func missingPathParameter() throws {
        let schema = HTTPFixtures.bookstoreProto
        let method = try #require(schema.service(named: "bookstore.v1.Bookstore")?.method(named: "GetShelf"))
        let error = HTTPFixtures.error { () throws(CodecError) in
            _ = try ProtoHTTPMapping.request(
                HTTPRequestParts(method: "GET", path: "/v1/shelves/1"),
                rule: method.httpRule, method: method, schema: schema)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "path parameter 'shelf'")
    }

    // MARK: Responses

    func reply(_ type: String, _ text: String, file: String = "bookstore.proto", include: String = Repo.descriptors)
        throws -> [UInt8]
    {
        try Protoc.encode(type, text, file: file, include: include)
    }

    @Test func wholeReplyAsJSON() throws {
        let match = try Self.bookstoreTable.match(method: "GET", path: "/v1/shelves/1")
        let bytes = try reply("bookstore.v1.Shelf", #"id: 1 theme: "x" loan_period { seconds: 60 }"#)
        let response = try match.response(bytes)
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"id":"1","theme":"x","loanPeriod":"60s"}"#)
        var options = HTTPMappingOptions()
        options.protoJSON.useProtoNames = true
        #expect(
            String(decoding: try match.response(bytes, options: options).body, as: UTF8.self)
                == #"{"id":"1","theme":"x","loan_period":"60s"}"#)
    }

    @Test func responseBodyField() throws {
        let match = try Self.bookstoreTable.match(method: "GET", path: "/v1/shelves/1/books/2/cover")
        let bytes = try reply(
            "bookstore.v1.GetBookCoverResponse",
            #"fetch_time { seconds: 1 } cover { media_type: "image/png" data: "\001\002" width: 3 }"#)
        #expect(
            String(decoding: try match.response(bytes).body, as: UTF8.self)
                == #"{"mediaType":"image/png","data":"AQI=","width":3}"#)
        let empty = try reply("bookstore.v1.GetBookCoverResponse", "fetch_time { seconds: 1 }")
        #expect(String(decoding: try match.response(empty).body, as: UTF8.self) == "{}")
    }

    @Test func responseBodyFieldsOfEveryShape() throws {
        let (schema, directory) = Self.inlineSchema
        let full = try reply(
            "h.Req",
            #"id: "abc" ids: 1 ids: -2 color: GREEN inner { id: "i" } counts { key: "a" value: 1 } limit { value: 4 }"#,
            file: "httpmap.proto", include: directory)
        let expectations: [(String, String, String)] = [
            ("/v1/one/id", #""abc""#, #""""#),
            ("/v1/one/ids", #"["1","-2"]"#, "[]"),
            ("/v1/one/color", #""GREEN""#, #""COLOR_UNSPECIFIED""#),
            ("/v1/one/inner", #"{"id":"i"}"#, "{}"),
            ("/v1/one/counts", #"{"a":1}"#, "{}"),
            ("/v1/one/limit", "4", "null"),
        ]
        let table = try RouteTable([.protobuf(schema)])
        for (path, present, absent) in expectations {
            let match = try table.match(method: "GET", path: path)
            #expect(String(decoding: try match.response(full).body, as: UTF8.self) == present, "\(path)")
            #expect(String(decoding: try match.response([]).body, as: UTF8.self) == absent, "\(path)")
        }
    }

    @Test func malformedReply() throws {
        let match = try Self.bookstoreTable.match(method: "GET", path: "/v1/shelves/1")
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try match.response([0x0A, 0x05, 0x01]) }
        #expect(error?.code == .badBackendReply)
        let cover = try Self.bookstoreTable.match(method: "GET", path: "/v1/shelves/1/books/2/cover")
        #expect(
            HTTPFixtures.error { () throws(CodecError) in _ = try cover.response([0xFF]) }?.code == .badBackendReply)
    }
}
