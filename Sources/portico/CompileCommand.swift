import ArgumentParser
import DynamicCodec
import Foundation

/// Compiles .proto files with Portico's own parser into a descriptor set, byte-compatible with
/// `protoc --include_imports -o` (google/protobuf and google/api imports come from the bundled copies).
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile", abstract: "Compile .proto files into a FileDescriptorSet (like protoc --include_imports -o).")

    @Argument(help: "The .proto files, named relative to an --include directory.")
    var files: [String]

    @Option(name: .customLong("include"), help: "A directory imports are resolved in (repeatable; default: .).")
    var includes: [String] = []

    @Option(name: .shortAndLong, help: "Where to write the descriptor set.")
    var output: String

    func run() throws {
        try reportingErrors {
            let schema = try ProtoSchema(
                protoFiles: files, source: ProtoFileSource(directories: includes.isEmpty ? ["."] : includes))
            guard FileManager.default.createFile(atPath: output, contents: Data(try schema.descriptorSetBytes())) else {
                throw ValidationError("cannot write \(output)")
            }
        }
    }
}
