// Types shared by the bookstore example services (included by bookstore.thrift).

namespace go bookstore.common
namespace py bookstore.common
namespace java dev.portico.examples.bookstore.common

typedef i64 ShelfId
typedef i64 BookId
typedef string Isbn
typedef map<string, string> Labels
// Milliseconds since the Unix epoch.
typedef i64 EpochMillis

enum Genre {
    UNKNOWN = 0
    FICTION = 1
    MYSTERY = 2
    SCIENCE_FICTION = 3
    BIOGRAPHY = 4
    HISTORY = 5
    POETRY = 6
    CHILDREN = 7
    // Sorted last in listings.
    WITHDRAWN = -1
}

enum Format {
    HARDCOVER = 1
    PAPERBACK
    EBOOK
    AUDIOBOOK = 10
}

const string API_VERSION = "v1"
const i32 DEFAULT_PAGE_SIZE = 20
const i32 MAX_PAGE_SIZE = 0x3e8
const double DEFAULT_TAX_RATE = 0.07
const list<string> DEFAULT_TAGS = ["new", "staff-pick"]
const set<Format> PRINT_FORMATS = [Format.HARDCOVER, Format.PAPERBACK]
const map<Genre, string> GENRE_LABELS = {
    Genre.FICTION: "Fiction",
    Genre.MYSTERY: "Mystery",
    Genre.SCIENCE_FICTION: "Science fiction",
}

struct Money {
    1: required string currency    // ISO 4217, e.g. "EUR"
    2: required i64 amount_micros (api.js_conv = "true")
}

const Money FREE = {"currency": "EUR", "amount_micros": 0}

struct Author {
    1: required string display_name
    2: optional string email
    3: optional i16 birth_year
}

struct Stock {
    1: i32 copies
    2: set<string> warehouses
    3: EpochMillis last_restock
}

// Exactly one member is set.
union Availability {
    1: Stock stock
    2: string out_of_print_reason
    3: EpochMillis preorder_until
}

// Declared by methods that address a book; api.http_code turns `status` into
// the HTTP status of the error reply.
exception BookNotFound {
    1: i32 status = 404 (api.http_code = "")
    2: string message
    3: ShelfId shelf
    4: BookId id
}

exception InvalidRequest {
    1: i32 status = 400 (api.http_code = "")
    2: string message
    3: list<string> violations
}

service Health {
    // Returns true while the service accepts requests.
    bool Ping() (api.get = "/healthz")
}
