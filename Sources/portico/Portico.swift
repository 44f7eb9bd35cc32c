import ArgumentParser

@main
struct Portico: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico",
        abstract: "A dynamic RPC gateway and codec: reads, edits and trims Protobuf messages with no generated code.",
        subcommands: [GetCommand.self, SetCommand.self, UnsetCommand.self, TrimCommand.self, ConvertCommand.self, CompileCommand.self, DemoCommand.self]
    )
}
