import Foundation
import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// Doc comments of `.proto` declarations: which comment attaches to which element, from source text and from
/// descriptor sets compiled by protoc with `--include_source_info`.
struct ProtoParserCommentTests {
    static let source = """
        // File header: attached to nothing we keep.
        syntax = "proto3";

        package shop.v1;

        // Detached: a blank line separates it from the message.

        // An order placed in the shop.
        // Second line of the same block.
        message Order {
          // The order's id.
          string id = 1;
          string note = 2; // A trailing comment.
          // Leading wins over trailing.
          int32 count = 3; // not this one
          string url = 4;  /* block trailing */

          /* Detached block. */

          string quoted = 5;
          /**
           * A doc block
           *   with indentation.
           */
          repeated string tags = 6;
          map<string, int32> stock = 7;  // Stock by warehouse.
          // A nested message.
          message Line {
            // The nested field.
            string sku = 1;
          }
          Line line = 8;
          oneof target {
            // A oneof member.
            string email = 9;
          }
        }

        // Order states.
        enum State {
          // Not set.
          STATE_UNSPECIFIED = 0;
          STATE_OPEN = 1; // Open for changes.
          STATE_CLOSED = 2;
        }

        // Places orders.
        service Orders {
          // Places one order.
          rpc Place(Order) returns (Order);
          rpc Check(Order) returns (Order); // Checks an order.
          // With options.
          rpc Watch(Order) returns (stream Order) {
            option deprecated = true;
          }
        }

        message Strings {
          string slash = 1 [json_name = "not // a comment"];
          // After a string.
          string after = 2;
        }
        """

    static func schema() throws -> ProtoSchema {
        try ProtoSchema(protoFiles: ["shop.proto"], source: ProtoFileSource(files: ["shop.proto": source]))
    }

    @Test func messagesFieldsAndNestedTypes() throws {
        let schema = try Self.schema()
        let order = try #require(schema.message(named: "shop.v1.Order"))
        #expect(order.documentation == "An order placed in the shop.\nSecond line of the same block.")
        #expect(order.field(named: "id")?.documentation == "The order's id.")
        #expect(order.field(named: "note")?.documentation == "A trailing comment.")
        #expect(order.field(named: "count")?.documentation == "Leading wins over trailing.")
        #expect(order.field(named: "url")?.documentation == "block trailing")
        #expect(order.field(named: "tags")?.documentation == "A doc block\n  with indentation.")
        #expect(order.field(named: "stock")?.documentation == "Stock by warehouse.")
        #expect(order.field(named: "line")?.documentation == nil)
        #expect(order.field(named: "email")?.documentation == "A oneof member.")
        let line = try #require(schema.message(named: "shop.v1.Order.Line"))
        #expect(line.documentation == "A nested message.")
        #expect(line.field(named: "sku")?.documentation == "The nested field.")
        // The synthesized map entry has no comment of its own.
        #expect(schema.message(named: "shop.v1.Order.StockEntry")?.documentation == nil)
    }

    @Test func aBlankLineDetachesAComment() throws {
        let schema = try Self.schema()
        let order = try #require(schema.message(named: "shop.v1.Order"))
        #expect(order.documentation?.contains("Detached") == false)
        #expect(order.field(named: "quoted")?.documentation == nil)
    }

    @Test func aTrailingCommentIsNotTheNextFieldsLeadingComment() throws {
        let order = try #require(try Self.schema().message(named: "shop.v1.Order"))
        // `count`'s trailing comment sits on its own line's end; `url` has only its own.
        #expect(order.field(named: "count")?.documentation?.contains("not this one") == false)
        #expect(order.field(named: "url")?.documentation == "block trailing")
    }

    @Test func commentMarkersInsideStringsAreText() throws {
        let strings = try #require(try Self.schema().message(named: "shop.v1.Strings"))
        #expect(strings.field(named: "slash")?.jsonName == "not // a comment")
        #expect(strings.field(named: "slash")?.documentation == nil)
        #expect(strings.field(named: "after")?.documentation == "After a string.")
    }

    @Test func enumsServicesAndMethods() throws {
        let schema = try Self.schema()
        let state = try #require(schema.enumType(named: "shop.v1.State"))
        #expect(state.documentation == "Order states.")
        #expect(state.values.map(\.documentation) == ["Not set.", "Open for changes.", nil])
        let service = try #require(schema.service(named: "shop.v1.Orders"))
        #expect(service.documentation == "Places orders.")
        #expect(service.method(named: "Place")?.documentation == "Places one order.")
        #expect(service.method(named: "Check")?.documentation == "Checks an order.")
        #expect(service.method(named: "Watch")?.documentation == "With options.")
    }

    @Test func theParserReportsCommentsByFullName() throws {
        let parsed = try ProtoParser.parse(
            files: ["shop.proto"], source: ProtoFileSource(files: ["shop.proto": Self.source]))
        #expect(parsed.documentation["shop.v1.Order.id"] == "The order's id.")
        #expect(parsed.documentation["shop.v1.State.STATE_OPEN"] == "Open for changes.")
        #expect(parsed.documentation["shop.v1.Orders.Place"] == "Places one order.")
        // The descriptors stay what protoc writes without source info.
        #expect(parsed.files.allSatisfy { !$0.hasSourceCodeInfo })
    }

    /// protoc keeps comments in `SourceCodeInfo` when asked; a descriptor set loaded from it has the same ones.
    @Test func descriptorSetsWithSourceInfoCarryTheComments() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-comments-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.source.utf8).write(to: directory.appendingPathComponent("shop.proto"))
        let withInfo = try ProtoSchema(
            descriptorSet: try Protoc.descriptorSet("shop.proto", include: directory.path, sourceInfo: true))
        let fromText = try Self.schema()
        for message in fromText.messages where message.fileName == "shop.proto" {
            let compiled = try #require(withInfo.message(named: message.fullName))
            #expect(compiled.documentation == message.documentation, "\(message.fullName)")
            for field in message.fields {
                #expect(compiled.field(named: field.name)?.documentation == field.documentation, "\(field.fullName)")
            }
        }
        #expect(
            withInfo.enumType(named: "shop.v1.State")?.values.map(\.documentation) == [
                "Not set.", "Open for changes.", nil,
            ])
        let service = try #require(withInfo.service(named: "shop.v1.Orders"))
        #expect(service.documentation == "Places orders.")
        #expect(service.methods.map(\.documentation) == ["Places one order.", "Checks an order.", "With options."])
        // Without source info there is nothing to read.
        let without = try ProtoSchema(descriptorSet: try Protoc.descriptorSet("shop.proto", include: directory.path))
        #expect(without.message(named: "shop.v1.Order")?.documentation == nil)
    }

    @Test func theDemoInventoryIsDocumented() throws {
        let schema = try ProtoSchema.load(path: Repo.descriptors + "/demo/inventory.proto", includeDirectories: [])
        let service = try #require(schema.service(named: "inventory.v1.Inventory"))
        #expect(service.method(named: "GetStock")?.documentation == "Stock of one item in every warehouse.")
        #expect(
            schema.message(named: "inventory.v1.Stock")?.field(named: "copies_by_warehouse")?.documentation
                == "Copies on hand, by warehouse name.")
    }
}
