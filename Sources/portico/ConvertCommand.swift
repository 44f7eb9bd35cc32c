import ArgumentParser
import DynamicCodec
import Foundation

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract:
            "Convert a Protobuf message between binary and proto3 JSON, or a Thrift struct between binary, compact "
            + "and JSON (stdin to stdout).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case binary, compact, json
    }

    @OptionGroup var options: SchemaOptions

    @Option(help: "Input format: binary or json (Protobuf); binary, compact or json (Thrift).")
    var from: Format

    @Option(help: "Output format: binary or json (Protobuf); binary, compact or json (Thrift).")
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

    @Flag(help: "Thrift JSON: write enum values as names.")
    var enumsAsNames = false

    @Flag(help: "Thrift JSON: every i64 as a JSON string (as api.js_conv does per field).")
    var int64AsString = false

    @Flag(help: "Thrift JSON: binary values as raw UTF-8 strings instead of base64.")
    var binaryAsString = false

    @Flag(help: "Thrift JSON: write absent fields of default requiredness with their IDL default or zero value.")
    var writeDefault = false

    @Flag(help: "Thrift JSON: write absent required fields with their default or zero value instead of failing.")
    var writeRequired = false

    @Flag(help: "Thrift JSON: write absent optional fields with their default or zero value.")
    var writeOptional = false

    @Flag(help: "Thrift JSON: accept numbers given as strings (\"123\") for numeric fields.")
    var stringToNumber = false

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
        let schema = try ThriftSchema.load(path: options.schema, includeDirectories: options.includes)
        guard from == .json || to == .json else {
            let type = message ? nil : try schema.requireStruct(named: options.type)
            let source: ThriftProtocol = from == .compact ? .compact : .binary
            let target: ThriftProtocol = to == .compact ? .compact : .binary
            writeStandardOutput(try ThriftTranscoder.convert(
                try options.readInput(), from: source, to: target, isMessage: message, type: type, schema: schema))
            return
        }
        guard !message else {
            throw ValidationError("--message converts between binary and compact; Thrift JSON holds one struct")
        }
        let type = try schema.requireStruct(named: options.type)
        let jsonOptions = ThriftJSONOptions(
            enumsAsNames: enumsAsNames, int64AsString: int64AsString, binaryAsString: binaryAsString,
            writeDefault: writeDefault, writeRequired: writeRequired, writeOptional: writeOptional,
            stringToNumber: stringToNumber, ignoreUnknownFields: ignoreUnknown)
        let input = try options.readInput()
        switch (from, to) {
        case (.json, .json):
            let bytes = try ThriftJSON.decode(input, as: type, schema: schema, encoding: .binary, options: jsonOptions)
            let json = try ThriftJSON.encode(bytes, as: type, schema: schema, encoding: .binary, options: jsonOptions)
            writeStandardOutput(json + [0x0A])
        case (.json, _):
            writeStandardOutput(try ThriftJSON.decode(
                input, as: type, schema: schema, encoding: to == .compact ? .compact : .binary, options: jsonOptions))
        default:
            writeStandardOutput(try ThriftJSON.encode(
                input, as: type, schema: schema, encoding: from == .compact ? .compact : .binary, options: jsonOptions)
                + [0x0A])
        }
    }
}
