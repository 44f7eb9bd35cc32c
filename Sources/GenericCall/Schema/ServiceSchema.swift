public import DynamicCodec

/// A loaded service: a Thrift service or a Protobuf service, with its schema.
public enum ServiceSchema: Sendable {
    case thrift(ThriftSchema, ThriftServiceDescriptor)
    case protobuf(ProtoSchema, ProtoServiceDescriptor)

    /// Loads `path` (.thrift, .proto or a descriptor set) and finds `service` in it: for Protobuf `package.Service`
    /// or the bare name when unique; for Thrift the IDL name (optionally `file.Service`).
    public static func load(path: String, includeDirectories: [String] = [], service: String?) throws(CallError)
        -> ServiceSchema
    {
        do {
            if path.hasSuffix(".thrift") {
                let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
                let file = path.contains("/") ? String(path[path.index(after: path.lastIndex(of: "/")!)...]) : path
                let schema = try ThriftSchema(
                    thriftFiles: [file], source: ThriftFileSource(directories: [directory] + includeDirectories))
                return try find(service, thrift: schema)
            }
            let schema = try ProtoSchema.load(path: path, includeDirectories: includeDirectories)
            return try find(service, protobuf: schema)
        } catch let error as CallError {
            throw error
        } catch let error as CodecError {
            throw CallError(.invalidArgument, "cannot load \(path): \(error)", details: ["codec_code": error.code.rawValue])
        } catch {
            throw CallError(.invalidArgument, "cannot load \(path): \(error)")
        }
    }

    public static func find(_ name: String?, thrift schema: ThriftSchema) throws(CallError) -> ServiceSchema {
        let candidates = schema.services.filter { service in
            guard let name else { return true }
            return service.name == name || service.name.hasSuffix("." + name)
                || name.hasSuffix("." + service.name)
        }
        guard candidates.count == 1 else {
            throw CallError(
                .methodNotFound,
                candidates.isEmpty
                    ? "no service \(name ?? "") in the schema (services: \(schema.services.map(\.name).joined(separator: ", ")))"
                    : "several services match; name one of \(candidates.map(\.name).joined(separator: ", "))")
        }
        return .thrift(schema, candidates[0])
    }

    public static func find(_ name: String?, protobuf schema: ProtoSchema) throws(CallError) -> ServiceSchema {
        let candidates = schema.services.filter { service in
            guard let name else { return true }
            return service.fullName == name || service.name == name
        }
        guard candidates.count == 1 else {
            throw CallError(
                .methodNotFound,
                candidates.isEmpty
                    ? "no service \(name ?? "") in the schema (services: \(schema.services.map(\.fullName).joined(separator: ", ")))"
                    : "several services match; name one of \(candidates.map(\.fullName).joined(separator: ", "))")
        }
        return .protobuf(schema, candidates[0])
    }

    /// The service name calls carry: `package.Service` (Protobuf) or the IDL name without the file scope (Thrift).
    public var serviceName: String {
        switch self {
        case .thrift(_, let service): service.name.split(separator: ".").last.map(String.init) ?? service.name
        case .protobuf(_, let service): service.fullName
        }
    }

    public var isProtobuf: Bool {
        if case .protobuf = self { return true }
        return false
    }

    /// Names of the methods, inherited ones included.
    public var methodNames: [String] {
        switch self {
        case .thrift(let schema, let service): schema.allMethods(of: service).map(\.name)
        case .protobuf(_, let service): service.methods.map(\.name)
        }
    }
}
