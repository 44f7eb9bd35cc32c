import ArgumentParser

@main
struct Portico: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico",
        abstract: "A dynamic RPC gateway and codec: calls Thrift, Kitex and gRPC services from JSON, and reads, edits, trims and converts their messages, with no generated code.",
        subcommands: [ServeCommand.self, CallCommand.self, BenchCommand.self, MockCommand.self, WatchCommand.self, PublishCommand.self, ShmIPCCommand.self, GetCommand.self, SetCommand.self, UnsetCommand.self, TrimCommand.self, ConvertCommand.self, CompileCommand.self, DemoCommand.self, TokenCommand.self, OpenAPICommand.self]
    )
}
