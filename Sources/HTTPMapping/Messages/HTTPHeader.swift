public import DynamicCodec
/// One HTTP header line. Names compare case-insensitively wherever they are looked up.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter or urlencoded form field, already percent-decoded (`+` read as a space).
public struct HTTPQueryItem: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A cookie: from a request's `Cookie` header, or set by a response (`Set-Cookie`).
public struct HTTPCookie: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A path parameter extracted by a route: the variable name (a field path like `book.name` for Protobuf
/// templates, the `:param` or `*rest` name for Thrift routes) and its decoded value.
public struct HTTPPathParameter: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first value of the header `name` (case-insensitive).
    package func first(named name: String) -> String? {
        first { $0.name.utf8.count == name.utf8.count && $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of the header `name` (case-insensitive), in order.
    package func all(named name: String) -> [String] {
        let lowered = name.lowercased()
        return filter { $0.name.lowercased() == lowered }.map(\.value)
    }
}
