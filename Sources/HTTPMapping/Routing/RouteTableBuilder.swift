internal import DynamicCodec
/// Collects routes from descriptors into a trie, checking templates against the request types and noting
/// conflicts.
struct RouteTableBuilder {
    let genericRoutes: Bool
    var routes: [Route] = []
    var trie = RouteTrie()
    var genericServices: Set<String> = []
    var conflicts: [(Route, Route)] = []

    init(genericRoutes: Bool) { self.genericRoutes = genericRoutes }

    mutating func insert(_ route: Route) {
        if let existing = trie.insert(route.pattern, method: route.httpMethod, route: routes.count) {
            conflicts.append((routes[existing], route))
        } else {
            routes.append(route)
        }
    }

    func checkConflicts() throws(CodecError) {
        guard !conflicts.isEmpty else { return }
        let lines = conflicts.map { "\($0.0) and \($0.1) match the same requests" }
        throw CodecError(.schemaError, "conflicting routes: " + lines.joined(separator: "; "))
    }

    mutating func addGeneric(service: String, method: String, target: RouteTarget) {
        guard genericRoutes else { return }
        genericServices.insert(service)
        let pattern = RoutePattern(segments: [.literal(service), .literal(method)], verb: nil, captures: [])
        insert(
            Route(
                httpMethod: "POST", template: "/\(service)/\(method)", target: target, isGeneric: true,
                pattern: pattern))
    }

    // MARK: Protobuf

    mutating func add(_ service: ProtoServiceDescriptor, schema: ProtoSchema) throws(CodecError) {
        for method in service.methods {
            if let rule = method.httpRule {
                for binding in [rule] + rule.additionalBindings {
                    try addBinding(binding, service: service, method: method, schema: schema)
                }
            }
            addGeneric(
                service: service.fullName, method: method.name,
                target: .protobuf(schema: schema, service: service, method: method, rule: nil))
        }
    }

    mutating func addBinding(
        _ rule: HTTPRule, service: ProtoServiceDescriptor, method: ProtoMethodDescriptor, schema: ProtoSchema
    ) throws(CodecError) {
        let template: HTTPPathTemplate
        do {
            template = try HTTPPathTemplate(parsing: rule.pathTemplate)
        } catch {
            throw CodecError(.schemaError, "\(method.fullName): \(error.message)")
        }
        try ProtoHTTPBinding.validate(rule, template: template, method: method, schema: schema)
        let target = RouteTarget.protobuf(schema: schema, service: service, method: method, rule: rule)
        insert(
            Route(
                httpMethod: rule.method.uppercased(), template: rule.pathTemplate, target: target,
                isGeneric: false, pattern: template.pattern))
    }

    // MARK: Thrift

    /// The annotations that bind a Thrift method to an HTTP method.
    static let thriftMethodAnnotations = [
        ("api.get", "GET"), ("api.post", "POST"), ("api.put", "PUT"), ("api.delete", "DELETE"),
        ("api.patch", "PATCH"),
    ]

    mutating func add(_ service: ThriftServiceDescriptor, schema: ThriftSchema, inheritedRoutes: Bool)
        throws(CodecError)
    {
        let all = schema.allMethods(of: service)
        let annotated = inheritedRoutes ? all : service.methods
        for method in annotated {
            let target = RouteTarget.thrift(schema: schema, service: service, method: method)
            for (key, httpMethod) in Self.thriftMethodAnnotations {
                for path in method.annotations.values(key) {
                    let pattern: RoutePattern
                    do {
                        pattern = try HertzPathPattern.parse(path)
                    } catch {
                        throw CodecError(.schemaError, "\(service.name).\(method.name): \(error.message)")
                    }
                    insert(
                        Route(
                            httpMethod: httpMethod, template: path, target: target, isGeneric: false,
                            pattern: pattern))
                }
            }
        }
        var named = Set<String>()
        // An inherited method of the same name as an own one is shadowed (own methods come first).
        for method in all where named.insert(method.name).inserted {
            addGeneric(
                service: service.name, method: method.name,
                target: .thrift(schema: schema, service: service, method: method))
        }
    }
}
