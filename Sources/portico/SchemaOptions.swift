import ArgumentParser
import DynamicCodec
import Foundation

/// Options shared by the codec commands: which schema, which message type, where the input comes from.
struct SchemaOptions: ParsableArguments {
    @Option(name: .long, help: "A .proto or .thrift file, or a descriptor set (.pb, .desc, .protoset) from protoc -o.")
    var schema: String

    @Option(name: .customLong("include"), help: "A directory imports are resolved in (repeatable).")
    var includes: [String] = []

    @Option(name: .long, help: "The type of the input: a Protobuf message (bookstore.v1.Book) or a Thrift struct (baseline.Nesting).")
    var type: String

    @Option(name: .long, help: "Thrift input encoding: binary or compact (default binary).")
    var `protocol`: ThriftEncodingArgument = .binary

    /// Whether the schema is Thrift IDL.
    var isThrift: Bool { schema.hasSuffix(".thrift") }

    func loadThriftValue() throws -> ThriftValue {
        let schema = try ThriftSchema.load(path: self.schema, includeDirectories: includes)
        return try ThriftValue(bytes: try readInput(), encoding: `protocol`.encoding,
                               descriptor: try schema.requireStruct(named: type), schema: schema)
    }

    @Option(name: .long, help: "Read the message from this file instead of standard input.")
    var input: String?

    func loadSchema() throws -> ProtoSchema {
        try ProtoSchema.load(path: schema, includeDirectories: includes)
    }

    /// The input message as a value over its bytes.
    func loadValue() throws -> ProtoValue {
        let schema = try loadSchema()
        let descriptor = try schema.requireMessage(named: type)
        return try ProtoValue(bytes: try readInput(), descriptor: descriptor, schema: schema)
    }

    /// The raw input: `--input FILE` or standard input.
    func readInput() throws -> [UInt8] {
        guard let input else { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: input) else { throw ValidationError("cannot read \(input)") }
        return [UInt8](data)
    }
}

/// The Thrift encodings as a command-line argument.
enum ThriftEncodingArgument: String, ExpressibleByArgument, CaseIterable {
    case binary, compact
    var encoding: ThriftProtocol { self == .binary ? .binary : .compact }
}

func writeStandardOutput(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

/// Runs a command body, turning codec errors into a message on standard error and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CodecError {
        FileHandle.standardError.write(Data("portico: error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
