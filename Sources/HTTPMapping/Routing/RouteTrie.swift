internal import DynamicCodec
/// A path trie over route patterns: literal edges by decoded segment text, one edge for "any one segment" and
/// one for "the rest of the path". Built once, then read-only (flat node array, no references).
struct RouteTrie: Sendable {
    struct Key: Sendable, Hashable {
        var method: String
        var verb: String?
    }

    struct Node: Sendable {
        var literals: [String: Int] = [:]
        var single: Int?
        var multi: Int?
        /// Routes ending here, by HTTP method and verb: index into the table's routes.
        var routes: [Key: Int] = [:]
    }

    private(set) var nodes: [Node] = [Node()]

    /// Adds a route; returns the index of an existing route that matches exactly the same requests, if any.
    mutating func insert(_ pattern: RoutePattern, method: String, route: Int) -> Int? {
        var node = 0
        for segment in pattern.segments {
            switch segment {
            case .literal(let literal):
                if let next = nodes[node].literals[literal] {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].literals[literal] = nodes.count - 1
                    node = nodes.count - 1
                }
            case .single:
                if let next = nodes[node].single {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].single = nodes.count - 1
                    node = nodes.count - 1
                }
            case .multi:
                if let next = nodes[node].multi {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].multi = nodes.count - 1
                    node = nodes.count - 1
                }
            }
        }
        let key = Key(method: method, verb: pattern.verb)
        if let existing = nodes[node].routes[key] { return existing }
        nodes[node].routes[key] = route
        return nil
    }

    /// The route for `method` (nil: any method) matching the decoded segments, preferring at each segment a
    /// literal edge over a one-segment parameter over a rest-of-path parameter, backtracking when a branch fails.
    func find(_ segments: [String], verb: String?, method: String?) -> Int? {
        search(node: 0, segments: segments, position: 0, verb: verb, method: method)
    }

    private func search(node: Int, segments: [String], position: Int, verb: String?, method: String?) -> Int? {
        let current = nodes[node]
        if position == segments.count, let route = route(in: current, verb: verb, method: method) { return route }
        if position < segments.count {
            if let next = current.literals[segments[position]],
                let route = search(node: next, segments: segments, position: position + 1, verb: verb, method: method)
            {
                return route
            }
            if let next = current.single,
                let route = search(node: next, segments: segments, position: position + 1, verb: verb, method: method)
            {
                return route
            }
        }
        if let next = current.multi, let route = route(in: nodes[next], verb: verb, method: method) { return route }
        return nil
    }

    private func route(in node: Node, verb: String?, method: String?) -> Int? {
        if let method { return node.routes[Key(method: method, verb: verb)] }
        return node.routes.first { $0.key.verb == verb }?.value
    }

    /// Every HTTP method with a route for this path, for error messages.
    func methods(for segments: [String], verb: String?, candidates: [String]) -> [String] {
        candidates.filter { find(segments, verb: verb, method: $0) != nil }
    }
}
