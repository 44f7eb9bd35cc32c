/// A route's path as an OpenAPI path template: `{name}` placeholders for one segment each, with what each
/// placeholder stands for in the route.
struct OpenAPIPath {
    struct Parameter {
        /// The placeholder's name in the OpenAPI path.
        var name: String
        /// The route variable it fills: a field path (`book.name`) or a Hertz parameter name; nil for a wildcard
        /// outside any variable.
        var variable: String?
        /// Whether the value may span several segments (`**`, `*rest`), sent with its slashes percent-encoded.
        var isMulti: Bool
        /// For a segment inside a google.api.http variable with a sub-pattern: the sub-pattern it is part of.
        var subPattern: String?
    }

    var text: String
    var parameters: [Parameter]

    /// A google.api.http template: `/v1/{name=shelves/*/books/*}:publish` becomes
    /// `/v1/shelves/{name.shelves}/books/{name.books}:publish` (the `name` field is `shelves/{..}/books/{..}`);
    /// `{shelf}` stays `{shelf}`.
    static func google(_ template: String) -> OpenAPIPath {
        var (body, verb) = splitVerb(template)
        if body.hasPrefix("/") { body.removeFirst() }
        var segments: [String] = []
        var parameters: [Parameter] = []
        var anonymous = 0
        for segment in splitTopLevel(body) {
            if segment.hasPrefix("{"), segment.hasSuffix("}") {
                let inner = segment.dropFirst().dropLast()
                let parts = inner.split(separator: "=", maxSplits: 1).map(String.init)
                let variable = parts.first ?? String(inner)
                guard parts.count == 2 else {
                    segments.append("{\(variable)}")
                    parameters.append(Parameter(name: variable, variable: variable, isMulti: false))
                    continue
                }
                var previous: String?
                for (position, piece) in parts[1].split(separator: "/").map(String.init).enumerated() {
                    if piece == "*" || piece == "**" {
                        var name = variable + "." + (previous ?? String(position + 1))
                        while parameters.contains(where: { $0.name == name }) { name += "_" }
                        segments.append("{\(name)}")
                        parameters.append(
                            Parameter(name: name, variable: variable, isMulti: piece == "**", subPattern: parts[1]))
                        previous = nil
                    } else {
                        segments.append(piece)
                        previous = piece
                    }
                }
            } else if segment == "*" || segment == "**" {
                anonymous += 1
                let name = "segment\(anonymous)"
                segments.append("{\(name)}")
                parameters.append(Parameter(name: name, variable: nil, isMulti: segment == "**"))
            } else {
                segments.append(segment)
            }
        }
        var text = "/" + segments.joined(separator: "/")
        if let verb { text += ":" + verb }
        return OpenAPIPath(text: text, parameters: parameters)
    }

    /// A Hertz path: `/v1/shelves/:shelf` becomes `/v1/shelves/{shelf}`, `/v1/assets/*path` `/v1/assets/{path}`.
    static func hertz(_ path: String) -> OpenAPIPath {
        var parameters: [Parameter] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { piece -> String in
            guard piece.hasPrefix(":") || piece.hasPrefix("*"), piece.count > 1 else { return String(piece) }
            let name = String(piece.dropFirst())
            parameters.append(Parameter(name: name, variable: name, isMulti: piece.hasPrefix("*")))
            return "{\(name)}"
        }
        return OpenAPIPath(text: segments.joined(separator: "/"), parameters: parameters)
    }

    /// The path with placeholder names blanked: two OpenAPI paths of the same shape are the same path.
    var shape: String {
        var result = ""
        var inside = false
        for character in text {
            if character == "{" {
                inside = true
                result += "{}"
            } else if character == "}" {
                inside = false
            } else if !inside {
                result.append(character)
            }
        }
        return result
    }

    /// Renames the placeholders to those of `other` (same shape), position by position.
    mutating func adopt(namesOf other: OpenAPIPath) {
        guard other.parameters.count == parameters.count else { return }
        for index in parameters.indices { parameters[index].name = other.parameters[index].name }
        text = other.text
    }

    /// The custom verb after the last segment, outside braces.
    private static func splitVerb(_ template: String) -> (String, String?) {
        var depth = 0
        var lastSlash = template.startIndex
        var colon: String.Index?
        for index in template.indices {
            switch template[index] {
            case "{": depth += 1
            case "}": depth -= 1
            case "/" where depth == 0:
                lastSlash = index
                colon = nil
            case ":" where depth == 0 && index > lastSlash: colon = index
            default: break
            }
        }
        guard let colon else { return (template, nil) }
        return (String(template[..<colon]), String(template[template.index(after: colon)...]))
    }

    /// Segments split on `/` outside braces.
    private static func splitTopLevel(_ text: String) -> [String] {
        var segments: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "{" { depth += 1 }
            if character == "}" { depth -= 1 }
            if character == "/", depth == 0 {
                segments.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty || !segments.isEmpty { segments.append(current) }
        return segments
    }
}
