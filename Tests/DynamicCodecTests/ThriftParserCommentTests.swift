import Foundation
import PorticoTestSupport
import Testing

@testable import DynamicCodec

/// Doc comments of `.thrift` declarations: `//`, `#`, `/* */` and `/** */`, above a declaration or after it on the
/// same line.
struct ThriftParserCommentTests {
    static let source = """
        # File header, then a blank line: attached to nothing.

        namespace go shop

        /**
         * A book.
         * Second line.
         */
        struct Book {
            /** The id. */
            1: i64 id,
            2: string title // A trailing comment.
            # Hash comment wins over the trailing one.
            3: list<string> tags (api.query = "tags"), // not this one
            4: string note; /* block trailing */

            // Detached: a blank line follows.

            5: string plain
            6: string quoted = "// not a comment"
            // After a string.
            7: string after
        }

        // Exactly one of them.
        union Target {
            // By email.
            1: string email
        }

        // Something went wrong.
        exception Oops {
            1: string message
        }

        // Colours.
        enum Colour {
            // The first.
            RED = 1,
            GREEN, // Continues from RED.
            BLUE
        }

        // Sells books.
        service Shop {
            // Finds a book.
            Book Find(
                // The id to look for.
                1: i64 id
            ) throws (1: Oops oops)
            void Forget(1: i64 id) // Forgets one.
            oneway void Ping()
        }

        // Sells more.
        service MoreShop extends Shop {
        }
        """

    static func schema() throws -> ThriftSchema {
        try ThriftParser.parse(files: ["shop.thrift"], source: ThriftFileSource(files: ["shop.thrift": source]))
    }

    @Test func structsAndFields() throws {
        let book = try #require(try Self.schema().structType(named: "shop.Book"))
        #expect(book.documentation == "A book.\nSecond line.")
        #expect(book.field(named: "id")?.documentation == "The id.")
        #expect(book.field(named: "title")?.documentation == "A trailing comment.")
        #expect(book.field(named: "tags")?.documentation == "Hash comment wins over the trailing one.")
        #expect(book.field(named: "note")?.documentation == "block trailing")
        #expect(book.field(named: "plain")?.documentation == nil)
        #expect(book.field(named: "quoted")?.documentation == nil)
        #expect(book.field(named: "after")?.documentation == "After a string.")
    }

    @Test func stringsKeepCommentMarkers() throws {
        let book = try #require(try Self.schema().structType(named: "shop.Book"))
        #expect(book.field(named: "quoted")?.defaultValue == .string("// not a comment"))
    }

    @Test func unionsExceptionsAndEnums() throws {
        let schema = try Self.schema()
        #expect(schema.structType(named: "shop.Target")?.documentation == "Exactly one of them.")
        #expect(schema.structType(named: "shop.Target")?.field(named: "email")?.documentation == "By email.")
        #expect(schema.structType(named: "shop.Oops")?.documentation == "Something went wrong.")
        let colour = try #require(schema.enumType(named: "shop.Colour"))
        #expect(colour.documentation == "Colours.")
        #expect(colour.valueDocumentation == ["The first.", "Continues from RED.", nil])
    }

    @Test func servicesMethodsAndArguments() throws {
        let schema = try Self.schema()
        let shop = try #require(schema.service(named: "shop.Shop"))
        #expect(shop.documentation == "Sells books.")
        #expect(shop.methods.map(\.documentation) == ["Finds a book.", "Forgets one.", nil])
        let arguments = schema.structs[shop.methods[0].argumentsIndex]
        #expect(arguments.documentation == nil)
        #expect(arguments.field(named: "id")?.documentation == "The id to look for.")
        #expect(schema.service(named: "shop.MoreShop")?.documentation == "Sells more.")
    }

    @Test func theExampleBookstoreIsDocumented() throws {
        let schema = try ThriftSchema.load(path: Repo.descriptors + "/bookstore.thrift")
        #expect(
            schema.service(named: "bookstore.BookstoreAdmin")?.documentation
                == "Administrative methods on top of everything Bookstore offers.")
        #expect(
            schema.structType(named: "bookstore.ShelfRequest")?.field(named: "force")?.documentation
                == "Only for DeleteShelf: delete even when the shelf still holds books.")
        #expect(
            schema.structType(named: "bookstore.Book")?.field(named: "page_index")?.documentation
                == "chapter title -> page numbers")
        let bookstore = try #require(schema.service(named: "bookstore.Bookstore"))
        #expect(
            bookstore.methods.first { $0.name == "RecordView" }?.documentation
                == "Fire and forget: no reply, no exceptions.")
    }
}
