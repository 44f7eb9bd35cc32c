import ArgumentParser
import DynamicCodec
import Foundation

/// Options shared by the codec commands: which schema, which message type, where the input comes from.
struct SchemaOptions: ParsableArguments {
    @Option(name: .long, help: "A .proto file, or a descriptor set (.pb, .desc, .protoset) from protoc -o.")
    var schema: String

    @Option(name: .customLong("include"), help: "A directory imports are resolved in (repeatable).")
    var includes: [String] = []

    @Option(name: .long, help: "The fully qualified message type of the input, e.g. bookstore.v1.Book.")
    var type: String

    @Option(name: .long, help: "Read the message from this file instead of standard input.")
    var input: String?

    func loadSchema() throws -> ProtoSchema {
        guard let data = FileManager.default.contents(atPath: schema) else { throw ValidationError("cannot read \(schema)") }
        return try ProtoSchema(descriptorSet: [UInt8](data))
    }

    /// The input message as a value over its bytes.
    func loadValue() throws -> ProtoValue {
        let schema = try loadSchema()
        let descriptor = try schema.requireMessage(named: type)
        let bytes: [UInt8]
        if let input {
            guard let data = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read \(input)")
            }
            bytes = [UInt8](data)
        } else {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        return try ProtoValue(bytes: bytes, descriptor: descriptor, schema: schema)
    }
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
