import ArgumentParser
import DynamicCodec
import Foundation

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert a message between Protobuf binary and proto3 JSON (stdin to stdout).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case binary, compact, json
    }

    @OptionGroup var options: SchemaOptions

    @Option(help: "Input format: binary or json (Protobuf); binary or compact (Thrift).")
    var from: Format

    @Option(help: "Output format: binary or json (Protobuf); binary or compact (Thrift).")
    var to: Format

    @Flag(help: "Thrift: the input is a whole message (CALL/REPLY/EXCEPTION/ONEWAY header and its struct).")
    var message = false

    @Flag(help: "Write unset fields without presence (zero values, empty lists and maps).")
    var emitDefaults = false

    @Flag(help: "Write .proto field names instead of lowerCamelCase JSON names.")
    var protoNames = false

    @Flag(help: "Write enum values as numbers.")
    var enumsAsInts = false

    @Flag(help: "Skip JSON keys and enum names the schema does not know instead of failing.")
    var ignoreUnknown = false

    func run() throws {
        try reportingErrors {
            if options.isThrift {
                try convertThrift()
                return
            }
            guard from != .compact, to != .compact else {
                throw ValidationError("compact is a Thrift protocol; Protobuf converts between binary and json")
            }
            let schema = try options.loadSchema()
            let type = try schema.requireMessage(named: options.type)
            let input = try options.readInput()
            let jsonOptions = ProtoJSONOptions(
                emitDefaults: emitDefaults, useProtoNames: protoNames, enumsAsInts: enumsAsInts,
                ignoreUnknownFields: ignoreUnknown)
            let binary =
                from == .json ? try ProtoJSON.decode(input, as: type, schema: schema, options: jsonOptions) : input
            if to == .json {
                let value = try ProtoValue(bytes: binary, descriptor: type, schema: schema)
                writeStandardOutput(try value.json(options: jsonOptions) + [0x0A])
            } else {
                if from == .binary { try ProtoValue(bytes: binary, descriptor: type, schema: schema).validate() }
                writeStandardOutput(binary)
            }
        }
    }

    func convertThrift() throws {
        guard from != .json, to != .json else {
            throw ValidationError("Thrift JSON conversion is not available yet; use binary or compact")
        }
        let schema = try ThriftSchema.load(path: options.schema, includeDirectories: options.includes)
        let type = message ? nil : try schema.requireStruct(named: options.type)
        let source: ThriftProtocol = from == .compact ? .compact : .binary
        let target: ThriftProtocol = to == .compact ? .compact : .binary
        writeStandardOutput(try ThriftTranscoder.convert(
            try options.readInput(), from: source, to: target, isMessage: message, type: type, schema: schema))
    }
}
