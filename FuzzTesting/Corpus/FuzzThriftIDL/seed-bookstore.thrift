// Example Thrift service for Portico: a bookstore with shelves and books.
//
// Methods carry the CloudWeGo/Hertz HTTP annotations of shared/specs/http-mapping.md:
// api.get/post/put/patch/delete with :param segments and a *rest catch-all; request
// fields bound with api.path, api.query, api.header, api.cookie, api.body,
// api.raw_body and api.form; reply fields with api.header, api.cookie, api.body,
// api.http_code and api.none; api.js_conv and api.key on either.

include "bookstore_common.thrift"

namespace go bookstore
namespace py bookstore
namespace java dev.portico.examples.bookstore

struct Shelf {
    1: required bookstore_common.ShelfId id (api.js_conv = "true")
    2: string theme
    3: optional bookstore_common.Labels labels
    4: bookstore_common.EpochMillis create_time
    5: i32 book_count
}

struct Book {
    1: bookstore_common.BookId id (api.js_conv = "true")
    2: required string title
    3: list<bookstore_common.Author> authors
    4: bookstore_common.Genre genre = bookstore_common.Genre.FICTION
    5: optional i32 page_count
    6: set<string> tags
    7: map<bookstore_common.Format, bookstore_common.Money> prices
    8: optional bookstore_common.Availability availability
    9: optional binary cover_thumbnail
    10: double rating = 0.0
    11: optional bookstore_common.Isbn isbn (api.key = "ISBN")
    12: i8 edition = 1
    13: optional i16 volume
    14: map<string, list<i32>> page_index     // chapter title -> page numbers
    15: bool in_print = true
    16: bookstore_common.Labels labels
}

struct ListShelvesRequest {
    1: i32 page_size = bookstore_common.DEFAULT_PAGE_SIZE (api.query = "page_size")
    2: string page_token (api.query = "page_token")
    3: string request_id (api.header = "X-Request-Id")
}

struct ListShelvesResponse {
    1: list<Shelf> shelves
    2: string next_page_token (api.header = "X-Next-Page-Token")
}

struct CreateShelfRequest {
    1: required string theme (api.body = "theme")
    2: bookstore_common.Labels labels (api.body = "labels")
    3: string authorization (api.header = "Authorization")
    4: string session (api.cookie = "session")
}

struct UpdateShelfRequest {
    1: bookstore_common.ShelfId shelf (api.path = "shelf")
    2: optional string theme
    3: optional bookstore_common.Labels labels
}

struct ShelfRequest {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    // Only for DeleteShelf: delete even when the shelf still holds books.
    2: bool force (api.query = "force")
}

struct ListBooksRequest {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    2: i32 page_size = bookstore_common.DEFAULT_PAGE_SIZE (api.query = "page_size")
    3: string page_token (api.query = "page_token")
    // ?genre=FICTION&genre=MYSTERY or ?genre=1,2
    4: list<bookstore_common.Genre> genres (api.query = "genre")
    5: list<string> tags (api.query = "tag")
    6: string locale (api.header = "Accept-Language")
    7: string session (api.cookie = "session")
}

struct ListBooksResponse {
    1: list<Book> books (api.body = "books")
    2: string next_page_token (api.body = "next_page_token")
    3: i32 total_size (api.header = "X-Total-Count")
}

struct CreateBookRequest {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    2: required Book book (api.body = "book")
    3: string idempotency_key (api.header = "Idempotency-Key")
}

struct BookRequest {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    2: required bookstore_common.BookId id (api.path = "id")
    // ?fields=title,genre
    3: list<string> fields (api.query = "fields")
    4: string if_none_match (api.header = "If-None-Match")
}

struct BookReply {
    1: Book book (api.body = "book")
    2: string etag (api.header = "ETag")
    3: i32 status = 200 (api.http_code = "")
    4: string session (api.cookie = "session")
    // Internal diagnostics; never sent to HTTP callers.
    5: string backend_trace (api.none = "true")
}

struct UpdateBookRequest {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    2: required bookstore_common.BookId id (api.path = "id")
    3: required Book book (api.body = "book")
    4: string if_match (api.header = "If-Match")
}

struct UploadCoverRequest {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    2: required bookstore_common.BookId id (api.path = "id")
    3: string content_type (api.header = "Content-Type")
    // The whole request body: the image bytes.
    4: binary image (api.raw_body = "")
}

struct ReviewForm {
    1: required bookstore_common.ShelfId shelf (api.path = "shelf")
    2: required bookstore_common.BookId id (api.path = "id")
    3: required string reviewer (api.form = "reviewer")
    4: i8 stars (api.form = "stars")
    5: string text (api.form = "text")
    6: optional binary photo (api.form = "photo")
}

struct Review {
    1: i64 review_id (api.js_conv = "true", api.key = "reviewId")
    2: bookstore_common.EpochMillis create_time
}

struct AssetRequest {
    // Everything after /v1/assets/, e.g. "covers/2024/42.png".
    1: string path (api.path = "path")
}

struct AssetReply {
    1: string content_type (api.header = "Content-Type")
    2: binary data (api.raw_body = "")
}

struct ViewEvent {
    1: bookstore_common.ShelfId shelf
    2: bookstore_common.BookId id
    3: bookstore_common.EpochMillis at
    4: string user_agent (api.header = "User-Agent")
}

service Bookstore extends bookstore_common.Health {
    ListShelvesResponse ListShelves(1: ListShelvesRequest req) (api.get = "/v1/shelves")
    Shelf CreateShelf(1: CreateShelfRequest req) throws (1: bookstore_common.InvalidRequest invalid)
        (api.post = "/v1/shelves")
    Shelf GetShelf(1: ShelfRequest req) (api.get = "/v1/shelves/:shelf")
    Shelf UpdateShelf(1: UpdateShelfRequest req) (api.patch = "/v1/shelves/:shelf")
    void DeleteShelf(1: ShelfRequest req) (api.delete = "/v1/shelves/:shelf")

    ListBooksResponse ListBooks(1: ListBooksRequest req) (api.get = "/v1/shelves/:shelf/books")
    Book CreateBook(1: CreateBookRequest req) throws (1: bookstore_common.InvalidRequest invalid)
        (api.post = "/v1/shelves/:shelf/books")
    BookReply GetBook(1: BookRequest req) throws (1: bookstore_common.BookNotFound nf)
        (api.get = "/v1/shelves/:shelf/books/:id")
    Book UpdateBook(1: UpdateBookRequest req)
        throws (1: bookstore_common.BookNotFound nf, 2: bookstore_common.InvalidRequest invalid)
        (api.put = "/v1/shelves/:shelf/books/:id")
    void DeleteBook(1: BookRequest req) throws (1: bookstore_common.BookNotFound nf)
        (api.delete = "/v1/shelves/:shelf/books/:id")

    void UploadCover(1: UploadCoverRequest req) throws (1: bookstore_common.BookNotFound nf)
        (api.put = "/v1/shelves/:shelf/books/:id/cover")
    Review AddReview(1: ReviewForm req) throws (1: bookstore_common.BookNotFound nf)
        (api.post = "/v1/shelves/:shelf/books/:id/reviews")
    AssetReply GetAsset(1: AssetRequest req) (api.get = "/v1/assets/*path")

    // Fire and forget: no reply, no exceptions.
    oneway void RecordView(1: ViewEvent event) (api.post = "/v1/views")
}

struct ExportRequest {
    1: bookstore_common.EpochMillis since (api.query = "since", api.js_conv = "true")
    2: string authorization (api.header = "Authorization")
}

struct ExportReply {
    1: list<Book> books
    2: map<bookstore_common.ShelfId, Shelf> shelves
}

// Administrative methods on top of everything Bookstore offers.
service BookstoreAdmin extends Bookstore {
    ExportReply Export(1: ExportRequest req) (api.get = "/admin/v1/export")
    i32 Reindex(1: ShelfRequest req) (api.post = "/admin/v1/shelves/:shelf/reindex")
}
