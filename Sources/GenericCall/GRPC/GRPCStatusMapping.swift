import NIOHTTP2

/// How answers that are not a plain gRPC status become one, following the gRPC over HTTP/2 spec and what grpc-go
/// does, so a caller sees the same code whichever client made the call.
enum GRPCStatusMapping {
    /// The status of an HTTP response that carries no `grpc-status` (a proxy or a non-gRPC server answered):
    /// the table of the spec's "HTTP to gRPC Status Code Mapping"; any other HTTP status is UNKNOWN.
    static func status(httpStatus: Int) -> GRPCStatus {
        switch httpStatus {
        case 400: .internal
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
    }

    /// The status of a stream the server reset before its trailers, per the spec's RST_STREAM table.
    static func status(resetCode: HTTP2ErrorCode) -> GRPCStatus {
        switch resetCode {
        case .refusedStream: .unavailable
        case .cancel: .cancelled
        case .enhanceYourCalm: .resourceExhausted
        case .inadequateSecurity: .permissionDenied
        default: .internal
        }
    }

    /// Decodes a `grpc-message` value: `%XX` escapes of UTF-8 bytes; a malformed escape is kept as it is, and
    /// bytes that are not UTF-8 become U+FFFD, as the spec asks of receivers.
    static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Encodes a status message for `grpc-message`: printable ASCII other than `%` stays, every other byte of
    /// its UTF-8 form becomes `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let needsEscape = { (byte: UInt8) in byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "%") }
        guard text.utf8.contains(where: needsEscape) else { return text }
        let digits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if needsEscape(byte) {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(digits[Int(byte >> 4)])
                encoded.append(digits[Int(byte & 0x0F)])
            } else {
                encoded.append(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
