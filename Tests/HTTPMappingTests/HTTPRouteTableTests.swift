import Foundation
import Testing

@testable import DynamicCodec
@testable import HTTPMapping

@Suite struct HTTPRouteTableTests {
    static let protoTable: RouteTable = try! RouteTable([.protobuf(HTTPFixtures.bookstoreProto)])
    static let thriftTable: RouteTable = try! RouteTable([.thrift(HTTPFixtures.bookstoreThrift)])

    struct RouteCase: Sendable, CustomStringConvertible {
        var method: String
        var path: String
        /// `Service.Method`
        var target: String
        var parameters: [String: String]
        var generic = false
        var description: String { "\(method) \(path)" }
    }

    static let protoRoutes: [RouteCase] = [
        .init(method: "GET", path: "/v1/shelves", target: "bookstore.v1.Bookstore.ListShelves", parameters: [:]),
        .init(method: "POST", path: "/v1/shelves", target: "bookstore.v1.Bookstore.CreateShelf", parameters: [:]),
        .init(
            method: "get", path: "/v1/shelves/7", target: "bookstore.v1.Bookstore.GetShelf", parameters: ["shelf": "7"]),
        .init(
            method: "DELETE", path: "/v1/shelves/7", target: "bookstore.v1.Bookstore.DeleteShelf",
            parameters: ["shelf": "7"]),
        // The verb beats a parameter that would swallow it.
        .init(
            method: "GET", path: "/v1/shelves/7:watch", target: "bookstore.v1.Bookstore.WatchShelf",
            parameters: ["shelf": "7"]),
        // Without a route for that verb, the colon is part of the parameter.
        .init(
            method: "GET", path: "/v1/shelves/7:other", target: "bookstore.v1.Bookstore.GetShelf",
            parameters: ["shelf": "7:other"]),
        .init(
            method: "GET", path: "/v1/shelves/7/books", target: "bookstore.v1.Bookstore.ListBooks",
            parameters: ["shelf": "7"]),
        .init(
            method: "GET", path: "/v1/shelves/7/books/42", target: "bookstore.v1.Bookstore.GetBook",
            parameters: ["name": "shelves/7/books/42"]),
        .init(
            method: "PATCH", path: "/v1/shelves/7/books/42", target: "bookstore.v1.Bookstore.UpdateBook",
            parameters: ["book.name": "shelves/7/books/42"]),
        .init(
            method: "PUT", path: "/v1/shelves/7/books/42", target: "bookstore.v1.Bookstore.UpdateBook",
            parameters: ["book.name": "shelves/7/books/42"]),
        .init(
            method: "POST", path: "/v1/shelves/7/books/42:publish", target: "bookstore.v1.Bookstore.PublishBook",
            parameters: ["name": "shelves/7/books/42"]),
        .init(
            method: "GET", path: "/v1/shelves/7/books/42/cover", target: "bookstore.v1.Bookstore.GetBookCover",
            parameters: ["name": "shelves/7/books/42"]),
        .init(
            method: "GET", path: "/v1/shelves/a%2Fb/books/c%20d", target: "bookstore.v1.Bookstore.GetBook",
            parameters: ["name": "shelves/a%2Fb/books/c d"]),
        .init(
            method: "POST", path: "/bookstore.v1.Bookstore/GetBook", target: "bookstore.v1.Bookstore.GetBook",
            parameters: [:], generic: true),
    ]

    static let thriftRoutes: [RouteCase] = [
        .init(method: "GET", path: "/v1/shelves", target: "bookstore.Bookstore.ListShelves", parameters: [:]),
        .init(method: "GET", path: "/v1/shelves/3", target: "bookstore.Bookstore.GetShelf", parameters: ["shelf": "3"]),
        .init(
            method: "PATCH", path: "/v1/shelves/3", target: "bookstore.Bookstore.UpdateShelf",
            parameters: ["shelf": "3"]),
        .init(
            method: "GET", path: "/v1/shelves/3/books/9", target: "bookstore.Bookstore.GetBook",
            parameters: ["shelf": "3", "id": "9"]),
        .init(
            method: "PUT", path: "/v1/shelves/3/books/9/cover", target: "bookstore.Bookstore.UploadCover",
            parameters: ["shelf": "3", "id": "9"]),
        .init(
            method: "GET", path: "/v1/assets/covers/2024/a%20b.png", target: "bookstore.Bookstore.GetAsset",
            parameters: ["path": "covers/2024/a b.png"]),
        .init(method: "GET", path: "/v1/assets/", target: "bookstore.Bookstore.GetAsset", parameters: ["path": ""]),
        .init(method: "GET", path: "/healthz", target: "bookstore_common.Health.Ping", parameters: [:]),
        .init(method: "GET", path: "/admin/v1/export", target: "bookstore.BookstoreAdmin.Export", parameters: [:]),
        .init(
            method: "POST", path: "/admin/v1/shelves/4/reindex", target: "bookstore.BookstoreAdmin.Reindex",
            parameters: ["shelf": "4"]),
        .init(
            method: "POST", path: "/bookstore.Bookstore/GetShelf", target: "bookstore.Bookstore.GetShelf",
            parameters: [:], generic: true),
        // Generic routes cover inherited methods.
        .init(
            method: "POST", path: "/bookstore.BookstoreAdmin/GetShelf", target: "bookstore.BookstoreAdmin.GetShelf",
            parameters: [:], generic: true),
        .init(
            method: "POST", path: "/bookstore.BookstoreAdmin/Ping", target: "bookstore.BookstoreAdmin.Ping",
            parameters: [:], generic: true),
    ]

    func check(_ table: RouteTable, _ test: RouteCase) throws {
        let match = try table.match(method: test.method, path: test.path)
        #expect("\(match.route.target.serviceName).\(match.route.target.methodName)" == test.target)
        #expect(Dictionary(uniqueKeysWithValues: match.pathParameters.map { ($0.name, $0.value) }) == test.parameters)
        #expect(match.route.isGeneric == test.generic)
    }

    @Test(arguments: protoRoutes) func matchesProtobufRoutes(_ test: RouteCase) throws {
        try check(Self.protoTable, test)
    }
    @Test(arguments: thriftRoutes) func matchesThriftRoutes(_ test: RouteCase) throws {
        try check(Self.thriftTable, test)
    }

    @Test func everyMethodHasAGenericRoute() {
        let proto = Self.protoTable.routes.filter(\.isGeneric).map(\.template)
        #expect(proto.count == HTTPFixtures.bookstoreProto.services.flatMap(\.methods).count)
        #expect(proto.contains("/bookstore.v1.Bookstore/WatchShelf"))
        let thrift = Set(Self.thriftTable.routes.filter(\.isGeneric).map(\.template))
        // Health 1, Bookstore 14 + 1 inherited, BookstoreAdmin 2 + 15 inherited.
        #expect(thrift.count == 33)
        #expect(!Self.protoTable.routes.filter { !$0.isGeneric }.isEmpty)
        let updateBook = Self.protoTable.routes.filter { $0.target.methodName == "UpdateBook" && !$0.isGeneric }
        #expect(Set(updateBook.map(\.httpMethod)) == ["PATCH", "PUT"])
    }

    @Test func notFound() {
        let table = Self.protoTable
        func failure(_ method: String, _ path: String) -> CodecError? {
            HTTPFixtures.error { () throws(CodecError) in _ = try table.match(method: method, path: path) }
        }
        let unknown = failure("GET", "/v2/shelves")
        #expect(unknown?.code == .routeNotFound)
        #expect(unknown?.message == "no route for GET /v2/shelves")
        let wrongMethod = failure("PUT", "/v1/shelves")
        #expect(wrongMethod?.code == .routeNotFound)
        #expect(wrongMethod?.message.contains("the path has routes for GET, POST") == true)
        let wrongVerbMethod = failure("GET", "/v1/shelves/1/books/2:publish")
        // GET has the plain reading (name = shelves/1/books/2:publish), so it matches GetBook.
        #expect(wrongVerbMethod == nil)
        #expect(failure("PUT", "/v1/shelves/1:watch")?.message.contains("routes for DELETE, GET") == true)
        #expect(failure("GET", "/v1/shelves/1/books")?.code == nil)
        #expect(failure("GET", "/v1/shelves/1/books/2/3")?.code == .routeNotFound)
        let method = failure("POST", "/bookstore.v1.Bookstore/Nope")
        #expect(method?.code == .methodNotFound)
        #expect(method?.message == "service bookstore.v1.Bookstore has no method 'Nope'")
        #expect(failure("POST", "/other.v1.Service/Get")?.code == .methodNotFound)
        #expect(failure("GET", "/bookstore.v1.Bookstore/GetBook")?.code == .routeNotFound)
        #expect(failure("GET", "v1/shelves")?.code == .invalidArgument)
        #expect(failure("GET", "/v1/shelves/%FF")?.code == .invalidArgument)
    }

    static let precedenceProto = """
        syntax = "proto3";
        package p;
        import "google/api/annotations.proto";
        message Req { string id = 1; string name = 2; string rest = 3; }
        service S {
          rpc Special(Req) returns (Req) { option (google.api.http) = { get: "/v1/items/special" }; }
          rpc Item(Req) returns (Req) { option (google.api.http) = { get: "/v1/items/{id}" }; }
          rpc ItemChild(Req) returns (Req) { option (google.api.http) = { get: "/v1/items/{id}/child" }; }
          rpc SpecialOther(Req) returns (Req) { option (google.api.http) = { get: "/v1/items/special/other" }; }
          rpc Files(Req) returns (Req) { option (google.api.http) = { get: "/v1/items/{rest=**}" }; }
          rpc Deleted(Req) returns (Req) { option (google.api.http) = { delete: "/v1/items/special/child" }; }
          rpc Custom(Req) returns (Req) {
            option (google.api.http) = { custom: { kind: "HEAD" path: "/v1/items/{id}" } };
          }
        }
        """

    @Test func precedence() throws {
        let (schema, _) = try HTTPFixtures.proto("precedence.proto", Self.precedenceProto)
        let table = try RouteTable([.protobuf(schema)])
        func target(_ method: String, _ path: String) throws -> String {
            let match = try table.match(method: method, path: path)
            let parameters = match.pathParameters.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            return match.route.target.methodName + (parameters.isEmpty ? "" : " " + parameters)
        }
        // A literal beats a parameter, which beats the rest-of-path wildcard.
        #expect(try target("GET", "/v1/items/special") == "Special")
        #expect(try target("GET", "/v1/items/other") == "Item id=other")
        #expect(try target("GET", "/v1/items/special/other") == "SpecialOther")
        // Backtracking: the literal branch has no `child` for GET, the parameter branch does.
        #expect(try target("GET", "/v1/items/special/child") == "ItemChild id=special")
        #expect(try target("DELETE", "/v1/items/special/child") == "Deleted")
        #expect(try target("GET", "/v1/items/a/b/c") == "Files rest=a/b/c")
        #expect(try target("GET", "/v1/items") == "Files rest=")
        #expect(try target("HEAD", "/v1/items/x") == "Custom id=x")
    }

    @Test func conflictsNameBothRoutes() throws {
        let (schema, _) = try HTTPFixtures.proto(
            "conflict.proto",
            """
            syntax = "proto3";
            package c;
            import "google/api/annotations.proto";
            message Req { string id = 1; string name = 2; }
            service A {
              rpc ById(Req) returns (Req) { option (google.api.http) = { get: "/v1/things/{id}" }; }
              rpc ByName(Req) returns (Req) { option (google.api.http) = { get: "/v1/things/{name}" }; }
              rpc Post(Req) returns (Req) { option (google.api.http) = { post: "/v1/things/{name}" }; }
              rpc Verb(Req) returns (Req) { option (google.api.http) = { get: "/v1/things/{name}:go" }; }
            }
            """)
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try RouteTable([.protobuf(schema)]) }
        #expect(error?.code == .schemaError)
        #expect(
            error?.message
                == "conflicting routes: GET /v1/things/{id} -> c.A.ById and GET /v1/things/{name} -> c.A.ByName match the same requests"
        )

        // The two conventions share one trie: the bookstore's proto and thrift routes overlap.
        let both = HTTPFixtures.error { () throws(CodecError) in
            _ = try RouteTable([.protobuf(HTTPFixtures.bookstoreProto), .thrift(HTTPFixtures.bookstoreThrift)])
        }
        #expect(
            both?.message.contains(
                "GET /v1/shelves/{shelf} -> bookstore.v1.Bookstore.GetShelf and GET /v1/shelves/:shelf -> bookstore.Bookstore.GetShelf match the same requests"
            ) == true)

        // Loading the same schema twice conflicts on every route, generic ones included.
        let twice = HTTPFixtures.error { () throws(CodecError) in
            _ = try RouteTable([.protobuf(schema, services: ["c.A"]), .protobuf(schema)])
        }
        #expect(twice?.message.contains("POST /c.A/ById -> c.A.ById and POST /c.A/ById -> c.A.ById") == true)
    }

    @Test func thriftRestAndParameterConflict() throws {
        let schema = try HTTPFixtures.thrift(
            """
            struct R { 1: string a (api.path = "a") 2: string b (api.path = "b") }
            service S {
                R One(1: R r) (api.get = "/x/:a")
                R Two(1: R r) (api.get = "/x/:b")
                R Three(1: R r) (api.get = "/y/*a")
                R Four(1: R r) (api.get = "/y/*b", api.post = "/y/*b")
            }
            """)
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try RouteTable([.thrift(schema)]) }
        #expect(
            error?.message
                == "conflicting routes: GET /x/:b -> inline.S.Two and GET /x/:a -> inline.S.One match the same requests; GET /y/*b -> inline.S.Four and GET /y/*a -> inline.S.Three match the same requests"
                || error?.message
                    == "conflicting routes: GET /x/:a -> inline.S.One and GET /x/:b -> inline.S.Two match the same requests; GET /y/*a -> inline.S.Three and GET /y/*b -> inline.S.Four match the same requests"
        )
    }

    @Test func inheritedRoutes() throws {
        let schema = HTTPFixtures.bookstoreThrift
        let table = try RouteTable([.thrift(schema, services: ["bookstore.BookstoreAdmin"], inheritedRoutes: true)])
        let shelves = try table.match(method: "GET", path: "/v1/shelves")
        #expect(shelves.route.target.serviceName == "bookstore.BookstoreAdmin")
        #expect(shelves.route.target.methodName == "ListShelves")
        #expect(try table.match(method: "GET", path: "/healthz").route.target.methodName == "Ping")
        // Without inheritance only the service's own annotated methods get paths.
        let own = try RouteTable([.thrift(schema, services: ["bookstore.BookstoreAdmin"])])
        #expect(throws: CodecError.self) { try own.match(method: "GET", path: "/v1/shelves") }
        #expect(try own.match(method: "POST", path: "/bookstore.BookstoreAdmin/ListShelves").route.isGeneric)
        let noGeneric = try RouteTable([.thrift(schema)], genericRoutes: false)
        #expect(noGeneric.routes.allSatisfy { !$0.isGeneric })
    }

    @Test func badAnnotationsFailTheBuild() throws {
        let (unknownField, _) = try HTTPFixtures.proto(
            "bad1.proto",
            """
            syntax = "proto3";
            package b;
            import "google/api/annotations.proto";
            message Req { string id = 1; repeated string tags = 2; Req child = 3; }
            service S { rpc M(Req) returns (Req) { option (google.api.http) = { get: "/v1/{nope}" }; } }
            """)
        let error = HTTPFixtures.error { () throws(CodecError) in _ = try RouteTable([.protobuf(unknownField)]) }
        #expect(error?.code == .schemaError)
        #expect(error?.message == "b.S.M: google.api.http '/v1/{nope}': b.Req has no field 'nope'")
        for (template, body, problem) in [
            ("/v1/{tags}", "", "'tags' must be a singular scalar field"),
            ("/v1/{child}", "", "'child' must be a singular scalar field"),
            ("/v1/{child.id}/x", "nope", "the body field 'nope' is not a field of b.Req"),
            ("/v1/{id=**}/x", "", "'**' must be the last segment"),
        ] {
            let (schema, _) = try HTTPFixtures.proto(
                "bad2.proto",
                """
                syntax = "proto3";
                package b;
                import "google/api/annotations.proto";
                message Req { string id = 1; repeated string tags = 2; Req child = 3; }
                service S { rpc M(Req) returns (Req) { option (google.api.http) = { post: "\(template)" body: "\(body)" }; } }
                """)
            let error = HTTPFixtures.error { () throws(CodecError) in _ = try RouteTable([.protobuf(schema)]) }
            #expect(error?.message.contains(problem) == true, "\(template): \(String(describing: error))")
        }
        let thrift = try HTTPFixtures.thrift("service S { void M() (api.get = \"/a/*rest/b\") }")
        let thriftError = HTTPFixtures.error { () throws(CodecError) in _ = try RouteTable([.thrift(thrift)]) }
        #expect(thriftError?.message == "inline.S.M: route path '/a/*rest/b': '*rest' must be last")
    }

    /// Many routes: the trie finds each one (and a linear scan would be visibly slower here).
    @Test func largeTable() throws {
        var methods = ""
        for index in 0..<400 {
            methods +=
                "rpc M\(index)(Req) returns (Req) { option (google.api.http) = { get: \"/v1/r\(index % 20)/items\(index)/{id}/x\(index % 7)\" }; }\n"
        }
        let (schema, _) = try HTTPFixtures.proto(
            "large.proto",
            """
            syntax = "proto3";
            package l;
            import "google/api/annotations.proto";
            message Req { string id = 1; }
            service S { \(methods) }
            """)
        let table = try RouteTable([.protobuf(schema)])
        #expect(table.routes.count == 800)
        #expect(table.trie.nodes.count < 2000)
        for index in stride(from: 0, to: 400, by: 13) {
            let match = try table.match(method: "GET", path: "/v1/r\(index % 20)/items\(index)/abc/x\(index % 7)")
            #expect(match.route.target.methodName == "M\(index)")
            #expect(match.pathParameter("id") == "abc")
        }
    }

    @Test func sharedAcrossTasks() async throws {
        let table = Self.protoTable
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for shelf in 0..<32 {
                group.addTask { try table.match(method: "GET", path: "/v1/shelves/\(shelf)").pathParameters[0].value }
            }
            var names: [String] = []
            for try await name in group { names.append(name) }
            return names
        }
        #expect(Set(names) == Set((0..<32).map(String.init)))
    }

    /// Random and mutated requests against both conventions: every failure is a CodecError, nothing crashes.
    @Test func hostileRequests() throws {
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let pieces = ["v1", "shelves", "books", "1", "42", "%2F", "%", "%zz", ":watch", ":publish", "", "assets",
                      "bookstore.v1.Bookstore", "bookstore.Bookstore", "GetBook", "reviews", "cover", "é", "a:b"]
        let paths = ["/v1/shelves", "/v1/shelves/1", "/v1/shelves/1/books", "/v1/shelves/1/books/2",
                     "/v1/shelves/1/books/2:publish", "/v1/shelves/1:watch", "/v1/shelves/1/books/2/cover",
                     "/v1/shelves/1/books/2/reviews", "/v1/assets/a/b", "/healthz", "/admin/v1/export",
                     "/bookstore.v1.Bookstore/UpdateBook", "/bookstore.Bookstore/CreateBook", "/v1/views"]
        let queries = ["", "page_size=1", "page_size=x", "filter.genre=9", "filter.tags=a&filter.tags=b", "view=%",
                       "genre=FICTION,NOPE", "tag=a,,b", "fields=", "labels[a]=1", "x[=1", "=&&=", "since=-1",
                       "read_mask=a,,B", "force=maybe", "page_size=99999999999999999999"]
        let bodies = ["", "{}", "[]", "{\"theme\":", "{\"book\":{\"title\":1}}", "null", "{\"a\":[[[[[[",
                      "\u{0}\u{1}", "{\"theme\":\"x\",\"labels\":{\"a\":2}}", "reviewer=a&stars=1", "--B\r\n"]
        let types = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=B",
                     "multipart/form-data", "image/png"]
        let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
        let tables = [Self.protoTable, Self.thriftTable]
        var matched = 0
        for _ in 0..<3000 {
            var segments = paths[next(paths.count)].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if next(3) == 0 { segments[1 + next(segments.count - 1)] = pieces[next(pieces.count)] }
            let path = segments.joined(separator: "/")
            let parts = HTTPRequestParts(
                method: methods[next(methods.count)], path: path, rawQuery: queries[next(queries.count)],
                headers: [HTTPHeader("Content-Type", types[next(types.count)]), HTTPHeader("Cookie", "session=;=x")],
                body: Array(bodies[next(bodies.count)].utf8))
            for table in tables {
                guard let match = try? table.match(parts) else { continue }
                matched += 1
                for encoding in ThriftProtocol.allCases {
                    _ = try? match.request(parts, options: HTTPMappingOptions(thriftProtocol: encoding))
                    _ = try? match.response(Array(parts.body.prefix(8)), options: HTTPMappingOptions(thriftProtocol: encoding))
                }
            }
        }
        #expect(matched > 300)
    }
}
