public import DynamicCodec
public import Foundation

/// The schemas the harnesses decode against, loaded once from the repository's `Descriptors/`.
public enum FuzzSchemas {
    /// The repository root, found from this file's place (`Tests/FuzzChecks/`), so that the fuzz package and the
    /// tests read the same descriptors wherever they run from.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var descriptors: String { repositoryRoot.appendingPathComponent("Descriptors").path }

    /// baseline.proto (proto3), test/rich.proto, test/rich2.proto (proto2: groups, defaults, closed enums, required
    /// fields, extensions) and test/wkt.proto (every well-known type).
    public static let proto: ProtoSchema = {
        do {
            return try ProtoSchema(
                protoFiles: ["baseline.proto", "test/rich.proto", "test/rich2.proto", "test/wkt.proto"],
                source: ProtoFileSource(directories: [descriptors]))
        } catch {
            fatalError("fuzz schemas: \(error)")
        }
    }()

    /// The message types a protobuf input's selector byte chooses from.
    public static let protoMessages: [ProtoMessageDescriptor] = [
        "baseline.Simple", "baseline.Nesting", "baseline.Nesting2", "rich.Rich", "rich2.Rich2", "wkt.Everything",
    ].map { name in
        guard let message = proto.message(named: name) else { fatalError("fuzz schemas: no message \(name)") }
        return message
    }

    /// baseline.thrift, test/nested.thrift and bookstore.thrift (with bookstore_common.thrift: unions, exceptions,
    /// enums, annotations).
    public static let thrift: ThriftSchema = {
        do {
            return try ThriftSchema(
                thriftFiles: ["baseline.thrift", "test/nested.thrift", "bookstore.thrift"],
                source: ThriftFileSource(directories: [descriptors]))
        } catch {
            fatalError("fuzz schemas: \(error)")
        }
    }()

    /// The struct types a Thrift input's selector byte chooses from.
    public static let thriftStructs: [ThriftStructDescriptor] = [
        "baseline.Simple", "baseline.Nesting", "baseline.Nesting2", "nested.Deep", "bookstore.Book",
        "bookstore_common.Availability", "bookstore.ListBooksRequest",
    ].map { name in
        guard let type = thrift.structType(named: name) else { fatalError("fuzz schemas: no struct \(name)") }
        return type
    }

    /// bookstore.proto and demo/inventory.proto (google.api.http routes) for the HTTP mapping.
    public static let httpProto: ProtoSchema = {
        do {
            return try ProtoSchema(
                protoFiles: ["bookstore.proto", "demo/inventory.proto"],
                source: ProtoFileSource(directories: [descriptors]))
        } catch {
            fatalError("fuzz schemas: \(error)")
        }
    }()

    /// bookstore.thrift (api.* routes) for the HTTP mapping.
    public static let httpThrift: ThriftSchema = {
        do {
            return try ThriftSchema(
                thriftFiles: ["bookstore.thrift"], source: ThriftFileSource(directories: [descriptors]))
        } catch {
            fatalError("fuzz schemas: \(error)")
        }
    }()
}
