import Foundation
import SwiftProtobuf
import Testing

@testable import DynamicCodec

struct ProtoParserSourceTests {
    static let common = """
        syntax = "proto3";
        package shop;
        import "google/protobuf/timestamp.proto";
        message Stamp { google.protobuf.Timestamp at = 1; }
        """

    static let order = """
        syntax = "proto3";
        package shop;
        import "shop/common.proto";
        import "google/api/annotations.proto";

        message Order {
          string id = 1;
          Stamp created = 2;
          enum Status {
            STATUS_UNSPECIFIED = 0;
            STATUS_PAID = 1;
          }
          Status status = 3;
        }

        service Orders {
          rpc Get(Order) returns (Order) {
            option (google.api.http) = { get: "/v1/orders/{id}" };
          }
        }
        """

    @Test func parsesFromMemoryWithDependenciesFirst() throws {
        let parsed = try ProtoParser.parse(
            files: ["shop/order.proto"],
            source: ProtoFileSource(files: ["shop/common.proto": Self.common, "shop/order.proto": Self.order]))
        #expect(
            parsed.files.map(\.name) == [
                "google/protobuf/timestamp.proto", "shop/common.proto", "google/api/http.proto",
                "google/protobuf/descriptor.proto", "google/api/annotations.proto", "shop/order.proto",
            ])
        let order = try #require(parsed.files.last)
        #expect(order.messageType[0].field[1].typeName == ".shop.Stamp")
        #expect(order.messageType[0].field[2].typeName == ".shop.Order.Status")
        #expect(order.messageType[0].field[2].type == .enum)
        #expect(!order.service[0].method[0].options.unknownFields.data.isEmpty)
    }

    @Test func parsesFromDirectories() throws {
        let first = ProtoParserTemporaryDirectory()
        let second = ProtoParserTemporaryDirectory()
        defer {
            first.remove()
            second.remove()
        }
        try first.write(["shop/order.proto": Self.order])
        try second.write(["shop/common.proto": Self.common, "shop/order.proto": "this file is shadowed"])
        let parsed = try ProtoParser.parse(
            files: ["shop/order.proto"], source: ProtoFileSource(directories: [first.path, second.path + "/"]))
        #expect(parsed.files.map(\.name).suffix(2) == ["google/api/annotations.proto", "shop/order.proto"])
        #expect(parsed.files.last?.messageType.first?.name == "Order")
    }

    @Test func lookupOrderIsMemoryThenDirectoriesThenBundled() throws {
        let directory = ProtoParserTemporaryDirectory()
        defer { directory.remove() }
        let customHTTP = "syntax = \"proto3\";\npackage google.api;\nmessage HttpRule { string get = 2; }\n"
        try directory.write(["google/api/http.proto": customHTTP, "a.proto": "this file is shadowed"])
        let main = "syntax = \"proto3\";\nimport \"google/api/http.proto\";\nmessage A { google.api.HttpRule r = 1; }\n"
        let parsed = try ProtoParser.parse(
            files: ["a.proto"], source: ProtoFileSource(directories: [directory.path], files: ["a.proto": main]))
        #expect(parsed.files.map(\.name) == ["google/api/http.proto", "a.proto"])
        #expect(parsed.files[0].messageType.map(\.name) == ["HttpRule"])
    }

    @Test func eachFileOnceInRequestOrder() throws {
        let files = [
            "a.proto": "syntax = \"proto3\";\nimport \"c.proto\";\n",
            "b.proto": "syntax = \"proto3\";\nimport \"c.proto\";\nimport \"a.proto\";\n",
            "c.proto": "syntax = \"proto3\";\n",
        ]
        let parsed = try ProtoParser.parse(
            files: ["b.proto", "a.proto", "c.proto"], source: ProtoFileSource(files: files))
        #expect(parsed.files.map(\.name) == ["c.proto", "a.proto", "b.proto"])
    }

    @Test func longImportChainsAreCappedNotCrashing() {
        var files: [String: String] = [:]
        for index in 0..<2000 {
            files["f\(index).proto"] = "syntax = \"proto3\";\nimport \"f\(index + 1).proto\";\n"
        }
        #expect(throws: CodecError.self) {
            try ProtoParser.parse(files: ["f0.proto"], source: ProtoFileSource(files: files))
        }
    }

    @Test func recordsDeclarationLocations() throws {
        let parsed = try ProtoParser.parse(
            files: ["shop/order.proto"],
            source: ProtoFileSource(files: ["shop/common.proto": Self.common, "shop/order.proto": Self.order]))
        let expected: [String: (file: String, line: Int, column: Int)] = [
            "shop.Stamp": ("shop/common.proto", 4, 1),
            "shop.Stamp.at": ("shop/common.proto", 4, 17),
            "shop.Order": ("shop/order.proto", 6, 1),
            "shop.Order.created": ("shop/order.proto", 8, 3),
            "shop.Order.Status": ("shop/order.proto", 9, 3),
            "shop.Order.Status.STATUS_PAID": ("shop/order.proto", 11, 5),
            "shop.Orders": ("shop/order.proto", 16, 1),
            "shop.Orders.Get": ("shop/order.proto", 17, 3),
            "google.protobuf.Timestamp": ("google/protobuf/timestamp.proto", 5, 1),
        ]
        for (name, position) in expected {
            let location = parsed.locations[name]
            #expect(
                location == SourceLocation(file: position.file, line: position.line, column: position.column), "\(name)"
            )
        }
    }

    @Test func synthesizesProtocStyleNames() throws {
        let text = """
            syntax = "proto2";
            message M {
              map<string, int32> snake_case_map = 1;
              optional group Result_Set = 2 { optional int32 x = 1; }
              optional int32 __odd__name_ = 3;
            }
            """
        let parsed = try ProtoParser.parse(files: ["m.proto"], source: ProtoFileSource(files: ["m.proto": text]))
        let message = try #require(parsed.files.first?.messageType.first)
        #expect(message.nestedType.map(\.name) == ["SnakeCaseMapEntry", "Result_Set"])
        #expect(message.field.map(\.name) == ["snake_case_map", "result_set", "__odd__name_"])
        #expect(message.field.map(\.jsonName) == ["snakeCaseMap", "resultSet", "OddName"])
        #expect(message.field[1].type == .group)
        #expect(message.nestedType[0].options.mapEntry)
    }

    @Test func protocNumberFormatting() {
        #expect(ProtoSourceFormat.shortest(0.1) == "0.1")
        #expect(ProtoSourceFormat.shortest(1e20) == "1e+20")
        #expect(ProtoSourceFormat.shortest(0.30000000000000004) == "0.30000000000000004")
        #expect(ProtoSourceFormat.shortest(Float(0.1)) == "0.1")
        #expect(ProtoSourceFormat.shortest(Float(16777217)) == "16777216")
        #expect(ProtoSourceFormat.shortest(-Double.infinity) == "-inf")
        #expect(ProtoSourceFormat.cEscape([0, 0x41, 0x22, 0xFF, 0x0A]) == "\\000A\\\"\\377\\n")
    }
}
