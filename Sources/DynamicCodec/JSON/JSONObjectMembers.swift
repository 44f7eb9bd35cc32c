/// The top-level members of one JSON object, read with the codec's own scanner: each key decoded, each value kept
/// as the byte range of its JSON text in the input, and the whole text validated within a nesting limit.
///
/// For other modules that need a few named fields of small, untrusted JSON objects (PASETO claims and footers)
/// without building a tree and without an unbounded parser. Whitespace, escapes and UTF-8 are checked as strictly
/// as the converters check them.
public struct JSONObjectMembers: Sendable {
    /// One `"key": value` pair; `value` indexes the bytes that were parsed.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: Range<Int>
    }

    /// The members in the order they appear (duplicates kept, so a caller can refuse them).
    public let members: [Member]

    /// Parses `bytes` as exactly one JSON object.
    ///
    /// Fails with `INVALID_JSON` when the text is not JSON or not an object, `DEPTH_LIMIT_EXCEEDED` when it nests
    /// deeper than `maxDepth` (the object itself is depth 1), and `SIZE_LIMIT_EXCEEDED` when it has more than
    /// `maxMembers` top-level members.
    public init(parsing bytes: [UInt8], maxDepth: Int, maxMembers: Int) throws(CodecError) {
        let result: Result<[Member], CodecError> = bytes.withUnsafeBytes { buffer in
            var scanner = JSONScanner(buffer, maxDepth: maxDepth)
            var members: [Member] = []
            do throws(CodecError) {
                guard try scanner.peek() == UInt8(ascii: "{") else {
                    throw scanner.failure("expected a JSON object")
                }
                scanner.position += 1
                try scanner.enter()
                if !scanner.consume(UInt8(ascii: "}")) {
                    repeat {
                        let keyToken = try scanner.readString()
                        let key = scanner.string(of: keyToken)
                        try scanner.expect(UInt8(ascii: ":"))
                        scanner.skipWhitespace()
                        let start = scanner.position
                        try scanner.skipValue()
                        guard members.count < maxMembers else {
                            throw CodecError(
                                .sizeLimitExceeded, "JSON object has more than \(maxMembers) members",
                                offset: keyToken.offset)
                        }
                        members.append(Member(key: key, value: start..<scanner.position))
                    } while scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "}"))
                }
                scanner.leave()
                try scanner.expectEnd()
                return .success(members)
            } catch {
                return .failure(error)
            }
        }
        members = try result.get()
    }

    /// The value range of the first member named `key`.
    public func value(named key: String) -> Range<Int>? {
        members.first { $0.key == key }?.value
    }

    /// How many members are named `key`.
    public func count(named key: String) -> Int {
        members.reduce(0) { $0 + ($1.key == key ? 1 : 0) }
    }

    /// The string a JSON string value denotes (escapes resolved), or nil when the value at `range` is not a string.
    public static func string(in bytes: [UInt8], at range: Range<Int>) -> String? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, !range.isEmpty,
            bytes[range.lowerBound] == UInt8(ascii: "\"")
        else { return nil }
        return bytes[range].withUnsafeBytes { buffer -> String? in
            var scanner = JSONScanner(buffer, maxDepth: 1)
            guard let token = try? scanner.readString(), (try? scanner.expectEnd()) != nil else { return nil }
            return scanner.string(of: token)
        }
    }
}
