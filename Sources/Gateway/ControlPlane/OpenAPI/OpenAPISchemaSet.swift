/// The component schemas of one document, collected while its operations are written. Each IDL type becomes one
/// named component the first time an operation needs it; later uses (recursive ones included) are `$ref`s.
struct OpenAPISchemaSet {
    /// Identifies one schema source: an IDL type of one loaded schema, in one JSON variant.
    struct Key: Hashable {
        var schema: ObjectIdentifier
        var kind: Int
        var index: Int
        var variant: Int
    }

    private var entries: [String: OpenAPIJSON] = [:]
    private var assigned: [Key: String] = [:]
    private var taken: Set<String> = []

    /// The component for `key`: built by `build` on first use under `name` (made unique when another type already
    /// has it), a reference to it afterwards.
    mutating func component(
        _ key: Key, name: String, build: (inout OpenAPISchemaSet) -> OpenAPIJSON
    ) -> OpenAPIJSON {
        if let existing = assigned[key] { return .reference(existing) }
        var unique = name
        var suffix = 2
        while taken.contains(unique) {
            unique = "\(name)_\(suffix)"
            suffix += 1
        }
        taken.insert(unique)
        assigned[key] = unique
        entries[unique] = .object([])  // Reserved first, so a recursive use refers to it.
        entries[unique] = build(&self)
        return .reference(unique)
    }

    /// A component that depends on no IDL type (the error body, well-known types), by name.
    mutating func fixed(_ name: String, build: () -> OpenAPIJSON) -> OpenAPIJSON {
        if taken.insert(name).inserted { entries[name] = build() }
        return .reference(name)
    }

    /// Every component, sorted by name.
    var schemas: OpenAPIJSON {
        .object(entries.keys.sorted().map { ($0, entries[$0]!) })
    }

    var count: Int { entries.count }
}

extension OpenAPISchemaSet {
    /// The error body of shared/specs/errors.md: every error response has it.
    mutating func errorBody() -> OpenAPIJSON {
        fixed("portico.Error") {
            .object([
                ("type", .string("object")),
                (
                    "description",
                    .string(
                        "The error body of every error response: a stable code, a message, and details (field path, "
                            + "byte offset, gRPC status name and number for gRPC backends).")
                ),
                ("required", .array([.string("code"), .string("message")])),
                (
                    "properties",
                    .object([
                        (
                            "code",
                            .object([
                                ("type", .string("string")),
                                (
                                    "description",
                                    .string("A stable code: INVALID_ARGUMENT, ROUTE_NOT_FOUND, RPC_TIMEOUT, ...")
                                ),
                            ])
                        ),
                        ("message", .object([("type", .string("string"))])),
                        (
                            "details",
                            .object([
                                ("type", .string("object")),
                                (
                                    "description",
                                    .string(
                                        "Strings by name, except a declared Thrift exception's `value`, which is its JSON."
                                    )
                                ),
                            ])
                        ),
                    ])
                ),
            ])
        }
    }

    /// A 64-bit integer as the JSON string proto3 JSON and `api.js_conv` use.
    static func integerString(format: String, unsigned: Bool) -> OpenAPIJSON {
        .object([
            ("type", .string("string")),
            ("format", .string(format)),
            ("pattern", .string(unsigned ? "^[0-9]+$" : "^-?[0-9]+$")),
        ])
    }

    static func integer(format: String?, minimum: Int64, maximum: Int64) -> OpenAPIJSON {
        var members: [(String, OpenAPIJSON)] = [("type", .string("integer"))]
        if let format { members.append(("format", .string(format))) }
        members.append(("minimum", .integer(minimum)))
        members.append(("maximum", .integer(maximum)))
        return .object(members)
    }

    static func unsignedInteger(maximum: UInt64) -> OpenAPIJSON {
        .object([("type", .string("integer")), ("minimum", .integer(0)), ("maximum", .unsigned(maximum))])
    }

    /// A floating-point number; the non-finite values travel as the strings proto3 JSON names them.
    static func number(format: String) -> OpenAPIJSON {
        .object([
            (
                "oneOf",
                .array([
                    .object([("type", .string("number")), ("format", .string(format))]),
                    .object([
                        ("type", .string("string")),
                        ("enum", .array([.string("NaN"), .string("Infinity"), .string("-Infinity")])),
                    ]),
                ])
            )
        ])
    }

    /// Bytes as a standard (or URL-safe, when read) base64 string.
    static let base64: OpenAPIJSON = .object([
        ("type", .string("string")),
        ("contentEncoding", .string("base64")),
        ("pattern", .string("^[A-Za-z0-9+/_-]*={0,2}$")),
    ])

    /// The doc comments of enum values, one line each (`- NAME: comment`), after a blank line; empty when none has
    /// one.
    static func valueNotes(_ values: [(name: String, documentation: String?)]) -> String {
        let lines = values.compactMap { value in
            value.documentation.map { "- \(value.name): " + $0.split(separator: "\n").joined(separator: " ") }
        }
        return lines.isEmpty ? "" : "\n\n" + lines.joined(separator: "\n")
    }

    /// `at most one of` (or exactly one, for Thrift unions) the named properties.
    static func oneOf(_ names: [String], allowNone: Bool) -> OpenAPIJSON {
        var branches = names.map { OpenAPIJSON.object([("required", .array([.string($0)]))]) }
        if allowNone {
            branches.append(.object([("not", .object([("anyOf", .array(branches))]))]))
        }
        return .array(branches)
    }
}
