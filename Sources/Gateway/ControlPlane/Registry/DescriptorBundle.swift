public import DynamicCodec

/// An uploaded set of descriptors: IDL files with their imports (one of them the main file), or a compiled
/// Protobuf descriptor set. One version of a registry name.
public struct DescriptorBundle: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case proto, thrift
        case descriptorSet = "descriptor_set"
    }

    public var kind: Kind
    /// The file whose services are routed (IDL bundles).
    public var main: String?
    /// File contents by the name they are imported under.
    public var files: [String: String]
    /// `protoc -o` output (descriptor-set bundles).
    public var descriptorSet: [UInt8]?

    /// IDL files; the kind follows the main file's extension.
    public init(main: String, files: [String: String]) throws(GatewayError) {
        guard files[main] != nil else {
            throw .invalidArgument(
                "the main file '\(main)' is not among the files (\(files.keys.sorted().joined(separator: ", ")))")
        }
        for name in files.keys where !Self.isValidFileName(name) {
            throw .invalidArgument("'\(name)' is not a valid file name (relative, no '..' or empty steps)")
        }
        if main.hasSuffix(".thrift") {
            kind = .thrift
        } else if main.hasSuffix(".proto") {
            kind = .proto
        } else {
            throw .invalidArgument("the main file '\(main)' must end in .proto or .thrift")
        }
        self.main = main
        self.files = files
        descriptorSet = nil
    }

    /// A compiled descriptor set.
    public init(descriptorSet: [UInt8]) {
        kind = .descriptorSet
        main = nil
        files = [:]
        self.descriptorSet = descriptorSet
    }

    /// Parses and links the bundle. Errors carry file:line:col for IDL text.
    public func load() throws(CodecError) -> LoadedSchema {
        switch kind {
        case .proto:
            return .protobuf(try ProtoSchema(protoFiles: [main ?? ""], source: ProtoFileSource(files: files)))
        case .thrift:
            return .thrift(try ThriftSchema(thriftFiles: [main ?? ""], source: ThriftFileSource(files: files)))
        case .descriptorSet:
            return .protobuf(try ProtoSchema(descriptorSet: descriptorSet ?? []))
        }
    }

    static func isValidFileName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 512, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\0")
        else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains {
            $0.isEmpty || $0 == "." || $0 == ".."
        }
    }
}

/// A loaded schema of either IDL.
public enum LoadedSchema: Sendable {
    case protobuf(ProtoSchema)
    case thrift(ThriftSchema)

    /// The descriptor's name of the service called `name` (`package.Service` for Protobuf; for Thrift the name
    /// as written in the IDL, which the schema qualifies with its file: `Bookstore` -> `bookstore.Bookstore`), or
    /// nil when the schema has no such service.
    public func serviceName(_ name: String) -> String? {
        switch self {
        case .protobuf(let schema): schema.service(named: name)?.fullName
        case .thrift(let schema): schema.service(named: name)?.name
        }
    }

    /// Every service name, for messages.
    public var serviceNames: [String] {
        switch self {
        case .protobuf(let schema): schema.services.map(\.fullName)
        case .thrift(let schema): schema.services.map(\.name)
        }
    }

    var isThrift: Bool {
        if case .thrift = self { return true }
        return false
    }
}
