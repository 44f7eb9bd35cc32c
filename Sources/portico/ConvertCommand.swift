import ArgumentParser
import DynamicCodec
import Foundation

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert a message between Protobuf binary and proto3 JSON (stdin to stdout).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case binary, json
    }

    @OptionGroup var options: SchemaOptions

    @Option(help: "Input format: binary or json.")
    var from: Format

    @Option(help: "Output format: binary or json.")
    var to: Format

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
            let schema = try options.loadSchema()
            let type = try schema.requireMessage(named: options.type)
            let input = try options.readInput()
            let jsonOptions = ProtoJSONOptions(
                emitDefaults: emitDefaults, useProtoNames: protoNames, enumsAsInts: enumsAsInts,
                ignoreUnknownFields: ignoreUnknown)
            var binary: [UInt8]
            switch from {
            case .binary: binary = input
            case .json: binary = try ProtoJSON.decode(input, as: type, schema: schema, options: jsonOptions)
            }
            switch to {
            case .binary:
                if from == .binary { try ProtoValue(bytes: binary, descriptor: type, schema: schema).validate() }
                writeStandardOutput(binary)
            case .json:
                let value = try ProtoValue(bytes: binary, descriptor: type, schema: schema)
                writeStandardOutput(try value.json(options: jsonOptions) + [0x0A])
            }
        }
    }
}
