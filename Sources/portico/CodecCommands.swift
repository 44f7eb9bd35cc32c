import ArgumentParser
import DynamicCodec
import Foundation

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print the value at a path of a binary message read from standard input.")

    @OptionGroup var options: SchemaOptions

    @Option(help: "The path, e.g. map_string_simple[\"15\"].binary_field (fields by name or number).")
    var path: String

    @Flag(help: """
        For a field the input lacks, print its schema default instead of null: proto3 zero values, proto2 \
        [default = ...], Thrift IDL defaults. Absent messages, structs, elements and entries stay null.
        """)
    var defaults = false

    func run() throws {
        try reportingErrors {
            if options.isThrift {
                let value = try options.loadThriftValue()
                let path = try FieldPath(parsing: path)
                let found = defaults ? try value.getOrDefault(path) : try value.get(path)
                print(found.map(ThriftValueText(schema: value.schema).render) ?? "null")
                return
            }
            let value = try options.loadValue()
            let path = try FieldPath(parsing: path)
            guard let found = defaults ? try value.getOrDefault(path) : try value.get(path) else {
                print("null")
                return
            }
            let target = path.steps.isEmpty ? nil : try value.schema.resolve(path, in: value.descriptor)
            print(try ValueRenderer(schema: value.schema).render(found, field: target?.valueField))
        }
    }
}

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Write a value at a path and print the edited binary message.")

    @OptionGroup var options: SchemaOptions

    @Option(help: "The path to write; [N] with N = the list's length appends, a new [key] adds a map entry.")
    var path: String

    @Option(help: "The value as JSON: a number, string, true/false, base64 for bytes, an enum name, an array or an object.")
    var value: String

    func run() throws {
        try reportingErrors {
            if options.isThrift {
                var message = try options.loadThriftValue()
                let path = try FieldPath(parsing: path)
                let type = try message.schema.type(at: path, in: message.descriptor)
                try message.set(path, to: try ThriftValueText(schema: message.schema).value(fromJSON: value, as: type))
                writeStandardOutput(message.bytes)
                return
            }
            var message = try options.loadValue()
            let path = try FieldPath(parsing: path)
            let target = try message.schema.resolve(path, in: message.descriptor)
            let input = try JSONValueInput(schema: message.schema)
            let newValue = try input.value(fromJSON: value, for: target.field, element: target.isElement)
            try message.set(path, to: newValue)
            writeStandardOutput(message.bytes)
        }
    }
}

struct UnsetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unset", abstract: "Remove a field, list element or map entry and print the edited message.")

    @OptionGroup var options: SchemaOptions

    @Option(help: "The path to remove.")
    var path: String

    func run() throws {
        try reportingErrors {
            if options.isThrift {
                var message = try options.loadThriftValue()
                try message.unset(try FieldPath(parsing: path))
                writeStandardOutput(message.bytes)
                return
            }
            var message = try options.loadValue()
            try message.unset(try FieldPath(parsing: path))
            writeStandardOutput(message.bytes)
        }
    }
}

struct TrimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trim",
        abstract: "Re-encode through a narrower type (--to) or keep only some paths (--mask); print the result.")

    @OptionGroup var options: SchemaOptions

    @Option(help: "A narrower message type with a subset of the fields (same numbers).")
    var to: String?

    @Option(help: """
        Comma-separated paths to keep, like a google.protobuf.FieldMask: a,b.c (Thrift: subscripts keep one \
        element or entry, e.g. groups[0]["a,b"].id)
        """)
    var mask: String?

    @Flag(help: "Do not fail when a required field of the target type is missing.")
    var allowMissingRequired = false

    func validate() throws {
        guard (to == nil) != (mask == nil) else { throw ValidationError("give exactly one of --to and --mask") }
    }

    func run() throws {
        try reportingErrors {
            var paths: [FieldPath] = []
            for part in MaskPathList.split(mask ?? "") { paths.append(try FieldPath(parsing: part)) }
            if options.isThrift {
                let message = try options.loadThriftValue()
                if let to {
                    let target = try message.schema.requireStruct(named: to)
                    writeStandardOutput(try message.trimmed(to: target, allowMissingRequired: allowMissingRequired).bytes)
                } else {
                    writeStandardOutput(try message.masked(paths).bytes)
                }
                return
            }
            let message = try options.loadValue()
            if let to {
                let target = try message.schema.requireMessage(named: to)
                writeStandardOutput(
                    try message.trimmed(to: target, allowMissingRequired: allowMissingRequired).bytes)
            } else {
                writeStandardOutput(try message.masked(paths).bytes)
            }
        }
    }
}
