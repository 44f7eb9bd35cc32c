#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The etcd messages the store sends and reads, in their proto3 JSON form (what ``JSONCaller`` converts to and
/// from the binary messages of Descriptors/etcd). Bytes are base64 (`Data`), 64-bit integers arrive as strings.
enum Etcd {
    /// A 64-bit integer that proto3 JSON writes as a string and accepts as a number.
    struct Int64Value: Codable, Sendable, Hashable {
        var value: Int64

        init(_ value: Int64) { self.value = value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self), let number = Int64(text) {
                value = number
            } else {
                value = try container.decode(Int64.self)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct ResponseHeader: Codable, Sendable {
        var revision: Int64Value?
    }

    struct KeyValue: Codable, Sendable, Hashable {
        var key: Data
        var createRevision: Int64Value?
        var modRevision: Int64Value?
        var value: Data?
        var lease: Int64Value?
    }

    struct Event: Codable, Sendable {
        /// nil (the default, omitted) is PUT.
        var type: String?
        var kv: KeyValue?

        var isDelete: Bool { type == "DELETE" }
    }

    struct RangeRequest: Codable, Sendable {
        var key: Data
        var rangeEnd: Data?
        var limit: Int64?
        var revision: Int64?
        var keysOnly: Bool?
    }

    struct RangeResponse: Codable, Sendable {
        var header: ResponseHeader?
        var kvs: [KeyValue]?
        var more: Bool?
    }

    struct PutRequest: Codable, Sendable {
        var key: Data
        var value: Data
        var lease: Int64?
        var prevKv: Bool?
    }

    struct PutResponse: Codable, Sendable {
        var header: ResponseHeader?
        var prevKv: KeyValue?
    }

    struct DeleteRangeRequest: Codable, Sendable {
        var key: Data
        var rangeEnd: Data?
    }

    struct DeleteRangeResponse: Codable, Sendable {
        var header: ResponseHeader?
        var deleted: Int64Value?
    }

    /// One comparison of a transaction's guard: `target` of `key` (or of every key in `[key, rangeEnd)`)
    /// compared with a value.
    struct Compare: Codable, Sendable {
        var result: String = "EQUAL"
        var target: String
        var key: Data
        var modRevision: Int64?
        var createRevision: Int64?
        var value: Data?
        var rangeEnd: Data?

        /// The key was last modified at `revision` (0: the key does not exist).
        static func modified(_ key: Data, at revision: Int64) -> Compare {
            Compare(target: "MOD", key: key, modRevision: revision)
        }

        /// The key was created at `revision` and not deleted since (0: the key does not exist).
        static func created(_ key: Data, at revision: Int64) -> Compare {
            Compare(target: "CREATE", key: key, createRevision: revision)
        }

        /// No key under `prefix` was written after `revision` (keys deleted since do not count: etcd compares
        /// the keys that exist).
        static func unchangedSince(_ revision: Int64, under prefix: Data) -> Compare {
            Compare(
                result: "LESS", target: "MOD", key: prefix, modRevision: revision + 1, rangeEnd: Etcd.prefixEnd(prefix))
        }
    }

    struct RequestOp: Codable, Sendable {
        var requestPut: PutRequest?
        var requestDeleteRange: DeleteRangeRequest?
        var requestRange: RangeRequest?

        static func put(_ key: Data, _ value: Data, lease: Int64? = nil) -> RequestOp {
            RequestOp(requestPut: PutRequest(key: key, value: value, lease: lease))
        }

        static func delete(_ key: Data, rangeEnd: Data? = nil) -> RequestOp {
            RequestOp(requestDeleteRange: DeleteRangeRequest(key: key, rangeEnd: rangeEnd))
        }

        static func get(_ key: Data) -> RequestOp {
            RequestOp(requestRange: RangeRequest(key: key))
        }
    }

    struct ResponseOp: Codable, Sendable {
        var responseRange: RangeResponse?
    }

    struct TxnRequest: Codable, Sendable {
        var compare: [Compare]
        var success: [RequestOp]
        var failure: [RequestOp]?
    }

    struct TxnResponse: Codable, Sendable {
        var header: ResponseHeader?
        var succeeded: Bool?
        var responses: [ResponseOp]?
    }

    struct WatchCreateRequest: Codable, Sendable {
        var key: Data
        var rangeEnd: Data?
        var startRevision: Int64?
        var progressNotify: Bool?
        /// Chosen by the client (etcd 3.4 and later), so that responses can be told apart from the start; not 0
        /// (0 asks etcd to choose).
        var watchId: Int64?
    }

    struct WatchCancelRequest: Codable, Sendable {
        var watchId: Int64
    }

    /// Asks etcd to answer at once on the stream (etcd 3.4: one response with watch id -1 and the store's
    /// current revision, which may run ahead of the events delivered so far, so it proves only that the member
    /// answers).
    struct WatchProgressRequest: Codable, Sendable {}

    /// One message of the Watch stream: exactly one of the three.
    struct WatchRequest: Codable, Sendable {
        var createRequest: WatchCreateRequest?
        var cancelRequest: WatchCancelRequest?
        var progressRequest: WatchProgressRequest?
    }

    struct WatchResponse: Codable, Sendable {
        var header: ResponseHeader?
        /// Absent when 0.
        var watchId: Int64Value?
        var created: Bool?
        var canceled: Bool?
        var compactRevision: Int64Value?
        var cancelReason: String?
        var events: [Event]?

        /// The watch id etcd 3.4 gives the answer to a progress request: it belongs to no watch.
        static let progressAnswerID: Int64 = -1
    }

    struct LeaseGrantRequest: Codable, Sendable {
        var TTL: Int64
        var ID: Int64?
    }

    struct LeaseGrantResponse: Codable, Sendable {
        var ID: Int64Value?
        var TTL: Int64Value?
        var error: String?
    }

    struct LeaseIDRequest: Codable, Sendable {
        var ID: Int64
    }

    struct LeaseKeepAliveResponse: Codable, Sendable {
        var ID: Int64Value?
        var TTL: Int64Value?
    }

    struct Empty: Codable, Sendable {}

    struct AuthenticateRequest: Codable, Sendable {
        var name: String
        var password: String
    }

    struct AuthenticateResponse: Codable, Sendable {
        var token: String?
    }

    /// The end of the range of every key starting with `prefix` (the prefix with its last byte incremented).
    static func prefixEnd(_ prefix: Data) -> Data {
        var end = [UInt8](prefix)
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return Data(end)
            }
            end.removeLast()
        }
        return Data([0])
    }
}
