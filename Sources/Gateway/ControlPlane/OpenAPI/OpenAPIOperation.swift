/// The parts of one operation that depend on its route's IDL: parameters, request body, responses.
struct OpenAPIOperation {
    var parameters: [OpenAPIJSON] = []
    var requestBody: OpenAPIJSON?
    /// Status (`"200"`, `"404"`) -> response object; `default` is added by the document.
    var responses: [(String, OpenAPIJSON)] = []
    /// Whether the reply is a server stream (SSE or NDJSON).
    var isStream = false

    static func parameter(
        _ name: String, in location: String, schema: OpenAPIJSON, required: Bool, description: String? = nil
    ) -> OpenAPIJSON {
        var members: [(String, OpenAPIJSON)] = [("name", .string(name)), ("in", .string(location))]
        if let description { members.append(("description", .string(description))) }
        if required || location == "path" { members.append(("required", .bool(true))) }
        members.append(("schema", schema))
        return .object(members)
    }

    /// A JSON request body.
    static func jsonBody(_ schema: OpenAPIJSON, required: Bool, description: String) -> OpenAPIJSON {
        .object([
            ("description", .string(description)),
            ("required", .bool(required)),
            ("content", .object([("application/json", .object([("schema", schema)]))])),
        ])
    }

    /// The body of a client-streaming method: newline-delimited JSON, one request message per line.
    static func ndjsonBody(_ item: OpenAPIJSON, typeName: String) -> OpenAPIJSON {
        .object([
            (
                "description",
                .string(
                    "A stream of \(typeName) messages, one proto3 JSON object per line (blank lines are skipped); "
                        + "fields bound by the path are taken from the path in every message.")
            ),
            ("required", .bool(false)),
            (
                "content",
                .object([
                    (
                        "application/x-ndjson",
                        .object([
                            ("schema", .object([("type", .string("string"))])),
                            ("x-portico-item-schema", item),
                        ])
                    )
                ])
            ),
        ])
    }

    /// A JSON response.
    static func jsonResponse(_ schema: OpenAPIJSON, description: String, headers: [(String, OpenAPIJSON)] = [])
        -> OpenAPIJSON
    {
        var members: [(String, OpenAPIJSON)] = [("description", .string(description))]
        members.append(
            (
                "headers",
                .object([("X-Request-Id", .object([("$ref", .string("#/components/headers/X-Request-Id"))]))] + headers)
            ))
        members.append(("content", .object([("application/json", .object([("schema", schema)]))])))
        return .object(members)
    }

    /// A server stream: Server-Sent Events when the caller accepts `text/event-stream`, NDJSON otherwise.
    static func streamResponse(_ item: OpenAPIJSON, typeName: String) -> OpenAPIJSON {
        .object([
            (
                "description",
                .string(
                    "A stream of \(typeName) messages, each written as it arrives. After the first message an error "
                        + "travels in the stream (an `error` event, or an `{\"error\": {...}}` line) and ends it.")
            ),
            ("headers", .object([("X-Request-Id", .object([("$ref", .string("#/components/headers/X-Request-Id"))]))])),
            (
                "content",
                .object([
                    (
                        "text/event-stream",
                        .object([
                            (
                                "schema",
                                .object([
                                    ("type", .string("string")),
                                    (
                                        "description",
                                        .string(
                                            "One `data: <JSON>` event per message (send Accept: text/event-stream).")
                                    ),
                                ])
                            ),
                            ("x-portico-item-schema", item),
                        ])
                    ),
                    (
                        "application/x-ndjson",
                        .object([
                            (
                                "schema",
                                .object([
                                    ("type", .string("string")),
                                    ("description", .string("One JSON message per line (the default).")),
                                ])
                            ),
                            ("x-portico-item-schema", item),
                        ])
                    ),
                ])
            ),
        ])
    }
}
