internal import DynamicCodec
/// Parses a Hertz route path (`/v1/shelves/:shelf/books/:id`, `/v1/assets/*path`): `:name` binds one segment,
/// `*name` the rest of the path (zero or more segments, last only). Parameters are fully percent-decoded.
enum HertzPathPattern {
    static func parse(_ text: String) throws(CodecError) -> RoutePattern {
        func failure(_ problem: String) -> CodecError { CodecError(.schemaError, "route path '\(text)': \(problem)") }
        guard text.hasPrefix("/") else { throw failure("a path starts with '/'") }
        var segments: [RoutePattern.Segment] = []
        var captures: [RoutePattern.Capture] = []
        let rest = text.dropFirst()
        let pieces = rest.isEmpty ? [] : rest.split(separator: "/", omittingEmptySubsequences: false)
        for (position, piece) in pieces.enumerated() {
            if piece.hasPrefix(":") || piece.hasPrefix("*") {
                let name = String(piece.dropFirst())
                guard !name.isEmpty else { throw failure("parameter without a name in segment \(position + 1)") }
                guard !captures.contains(where: { $0.name == name }) else {
                    throw failure("parameter '\(name)' appears twice")
                }
                let isRest = piece.hasPrefix("*")
                guard !isRest || position == pieces.count - 1 else { throw failure("'*\(name)' must be last") }
                captures.append(
                    RoutePattern.Capture(
                        name: name, segments: segments.count..<(segments.count + 1),
                        decoding: .full))
                segments.append(isRest ? .multi : .single)
            } else {
                guard !piece.isEmpty || position == pieces.count - 1 else {
                    throw failure("empty segment \(position + 1)")
                }
                segments.append(.literal(String(piece)))
            }
        }
        return RoutePattern(segments: segments, verb: nil, captures: captures)
    }
}
