/// A service and its methods. Immutable.
public final class ProtoServiceDescriptor: Sendable, CustomStringConvertible {
    public let fullName: String
    public let name: String
    public let fileName: String
    public let methods: [ProtoMethodDescriptor]
    /// The doc comment from the IDL (`.proto` source, or `SourceCodeInfo` of a descriptor set compiled with
    /// `--include_source_info`), if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    init(
        fullName: String, name: String, fileName: String, methods: [ProtoMethodDescriptor],
        documentation: String? = nil
    ) {
        self.documentation = documentation
        self.fullName = fullName
        self.name = name
        self.fileName = fileName
        self.methods = methods
    }

    public func method(named name: String) -> ProtoMethodDescriptor? { methods.first { $0.name == name } }

    public var description: String { "service \(fullName)" }
}

/// One RPC method.
public struct ProtoMethodDescriptor: Sendable, Hashable {
    public let name: String
    /// `pkg.Service.Method`
    public let fullName: String
    /// Index of the request type in ``ProtoSchema/messages``.
    public let inputIndex: Int
    /// Index of the reply type in ``ProtoSchema/messages``.
    public let outputIndex: Int
    public let clientStreaming: Bool
    public let serverStreaming: Bool
    /// The `google.api.http` rule, if annotated.
    public let httpRule: HTTPRule?
    public let isDeprecated: Bool
    /// The method's doc comment from the IDL, if any.
    public let documentation: String?

    /// The gRPC path: `/pkg.Service/Method`.
    public var grpcPath: String {
        let service = fullName[..<(fullName.lastIndex(of: ".") ?? fullName.endIndex)]
        return "/\(service)/\(name)"
    }
}
