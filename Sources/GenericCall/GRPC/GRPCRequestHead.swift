import Foundation
import NIOHPACK

/// The HEADERS of a gRPC request: pseudo-headers, content-type, te, grpc-timeout and the caller's metadata.
enum GRPCRequestHead {
    static func headers(
        scheme: String = "http", path: String, authority: String, metadata: [RPCHeader], timeout: Duration?
    ) -> HPACKHeaders {
        var headers = HPACKHeaders()
        headers.reserveCapacity(7 + metadata.count)
        headers.add(name: ":method", value: "POST")
        headers.add(name: ":scheme", value: scheme)
        headers.add(name: ":path", value: path)
        headers.add(name: ":authority", value: authority)
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "te", value: "trailers")
        if let timeout { headers.add(name: "grpc-timeout", value: grpcTimeout(timeout)) }
        for entry in metadata {
            let name = entry.name.lowercased()
            guard isSendable(name: name) else { continue }
            headers.add(name: name, value: name.hasSuffix("-bin") ? base64(entry.value) : entry.value)
        }
        return headers
    }

    /// `grpc-timeout`: at most 8 digits and a unit (n, u, m, S, M, H), in the finest unit that fits, rounded up
    /// so the server never sees a shorter deadline than ours; at least 1n.
    static func grpcTimeout(_ timeout: Duration) -> String {
        let nanoseconds = max(1, GRPCTime.nanoseconds(timeout))
        let units: [(Int64, Character)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
            (3_600_000_000_000, "H"),
        ]
        for (scale, unit) in units {
            let amount = (nanoseconds + scale - 1) / scale
            if amount <= 99_999_999 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }

    /// Metadata names that HTTP/2 and gRPC let a caller send: lower-case tokens of [0-9a-z_.-], not reserved by
    /// HTTP/2 (connection-specific headers) or by gRPC (the `grpc-` prefix, content-type, te).
    static func isSendable(name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("grpc-"),
            name.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            })
        else { return false }
        switch name {
        case "content-type", "te", "connection", "host", "keep-alive", "proxy-connection", "transfer-encoding",
            "upgrade":
            return false
        default:
            return true
        }
    }

    /// A `-bin` value travels base64-encoded: a value that already is base64 (as HTTP headers must carry it) goes
    /// as it is, anything else is encoded from its UTF-8 bytes.
    static func base64(_ value: String) -> String {
        let isBase64 =
            !value.isEmpty
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
            }
        if isBase64, Data(base64Encoded: paddedBase64(value)) != nil { return value }
        return Data(value.utf8).base64EncodedString()
    }

    private static func paddedBase64(_ value: String) -> String {
        let remainder = value.utf8.count % 4
        return remainder == 0 ? value : value + String(repeating: "=", count: 4 - remainder)
    }
}
