import ArgumentParser
import Foundation
import Gateway

/// `portico openapi`: the OpenAPI 3.1 document of a config's services or of one schema file, without starting a
/// gateway (a running one serves the same at GET /openapi.json).
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Write the OpenAPI 3.1 document of a config's services or of a schema file's services.",
        discussion: """
            portico openapi --config portico.yaml [-o FILE]
            portico openapi --schema Descriptors/bookstore.proto [--include DIR] [--service bookstore.v1.Bookstore]
            A running gateway serves the same document at GET /openapi.json.
            """
    )

    @Option(help: "A gateway YAML config: the document of its services.")
    var config: String?

    @Option(help: "A .proto, .thrift or descriptor set file: the document of its services.")
    var schema: String?

    @Option(name: .customLong("include"), help: "A directory imports are resolved in (repeatable; with --schema).")
    var includes: [String] = []

    @Option(name: .customLong("service"), help: "Only this service of --schema (repeatable; default: all).")
    var services: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Write the document to this file instead of standard output.")
    var output: String?

    @Flag(help: "One line of JSON instead of indented text.")
    var compact = false

    func validate() throws {
        guard (config == nil) != (schema == nil) else {
            throw ValidationError("give exactly one of --config or --schema")
        }
        if config != nil, !services.isEmpty || !includes.isEmpty {
            throw ValidationError("--service and --include go with --schema")
        }
    }

    func run() throws {
        let document: [UInt8]
        do {
            if let config {
                document = try OpenAPIDocument.generate(
                    config: try GatewayConfig.load(path: config), indent: compact ? 0 : 2)
            } else {
                document = try OpenAPIDocument.generate(
                    schemaPath: schema!, include: includes, services: services, indent: compact ? 0 : 2)
            }
        } catch {
            FileHandle.standardError.write(Data("portico openapi: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(document)) else {
                FileHandle.standardError.write(Data("portico openapi: cannot write \(output)\n".utf8))
                throw ExitCode(2)
            }
        } else {
            FileHandle.standardOutput.write(Data(document))
        }
    }
}
