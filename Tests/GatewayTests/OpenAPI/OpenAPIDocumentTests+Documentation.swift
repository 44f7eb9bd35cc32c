import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// Comments from the IDL become descriptions: of operations (the method's comment), of tags (the service's), of
/// schemas (the message's or struct's), of properties and parameters (the field's).
extension OpenAPIDocumentTests {
    @Test func protoCommentsBecomeDescriptions() throws {
        let document = try Support.object(
            try OpenAPIDocument.generate(
                schemaPath: Fixtures.descriptors + "/demo/inventory.proto", include: [Fixtures.descriptors]))
        let getStock = try #require(Support.at(document, "paths", "/v1/inventory/{sku}", "get") as? [String: Any])
        let description = try #require(getStock["description"] as? String)
        #expect(description.hasPrefix("Stock of one item in every warehouse.\n\n"), "\(description)")
        #expect(description.contains("Mapped by the method's HTTP annotation"))
        // The generic route has the method's comment too.
        #expect(
            (Support.at(document, "paths", "/inventory.v1.Inventory/GetStock", "post", "description") as? String)?
                .hasPrefix("Stock of one item in every warehouse.") == true)
        let parameters = try #require(getStock["parameters"] as? [[String: Any]])
        let sku = try #require(parameters.first { $0["name"] as? String == "sku" })
        #expect((sku["description"] as? String)?.hasPrefix("The item's stock-keeping unit") == true)
        let stock = try #require(Self.schema(document, "inventory.v1.Stock"))
        #expect(stock["description"] as? String == "The stock of one item across the warehouses.")
        #expect(
            Support.at(stock, "properties", "copiesByWarehouse", "description") as? String
                == "Copies on hand, by warehouse name.")
        // A comment next to a $ref: the reference stays, the description sits beside it.
        #expect(Support.at(stock, "properties", "updated", "description") as? String == "When the stock last changed.")
        #expect(
            Support.at(stock, "properties", "updated", "$ref") as? String
                == "#/components/schemas/google.protobuf.Timestamp")
        #expect(Support.at(stock, "properties", "sku", "description") == nil)
        #expect(
            Self.schema(document, "inventory.v1.GetStockRequest")?["description"] as? String
                == "What GetStock and WatchStock ask for: one item.")
    }

    @Test func thriftCommentsBecomeDescriptions() throws {
        let document = try Self.bookstoreThrift
        let tags = try #require(document["tags"] as? [[String: Any]])
        let admin = try #require(tags.first { $0["name"] as? String == "bookstore.BookstoreAdmin" })
        #expect(
            (admin["description"] as? String)?.hasPrefix(
                "Administrative methods on top of everything Bookstore offers.\n\n") == true)
        #expect(
            (Support.at(document, "paths", "/v1/views", "post", "description") as? String)?.hasPrefix(
                "Fire and forget: no reply, no exceptions.") == true)
        // A field bound to the query: its comment leads the parameter's description.
        let deleteShelf = try #require(Support.at(document, "paths", "/v1/shelves/{shelf}", "delete") as? [String: Any])
        let force = try #require(
            (deleteShelf["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "force" })
        #expect(
            force["description"] as? String
                == "Only for DeleteShelf: delete even when the shelf still holds books.\n\nThe field `force`.")
        // A trailing comment on a struct member, before what the mapping says of it.
        let book = try #require(Self.schema(document, "bookstore.Book"))
        #expect(
            Support.at(book, "properties", "page_index", "description") as? String == "chapter title -> page numbers")
        #expect(
            Support.at(book, "properties", "id", "description") as? String == "IDL type bookstore_common.BookId.")
    }
}
