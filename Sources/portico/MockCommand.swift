import ArgumentParser
import DynamicCodec
import Foundation
import Gateway
import GenericCall
import Logging

/// `portico mock`: a stand-in backend for any loaded service.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Serve every method of a service with configured JSON replies (or default values).",
        discussion: """
            Example:
              portico mock --schema Descriptors/bookstore.thrift --service BookService --framing framed \\
                --listen 127.0.0.1:9090 --responses replies.json --delay-ms 20 --fail-rate 0.1
            The responses file maps method names to {"reply": JSON}, {"replies": [JSON...]} (gRPC streaming),
            {"exception": "field", "value": JSON}, {"application_exception": {"type": 6, "message": "..."}},
            {"grpc_status": {"code": 5, "message": "..."}} or {"biz_status": 4001, "biz_message": "..."}.
            """
    )

    @Option(help: "A .thrift or .proto file, or a descriptor set (protoc -o).")
    var schema: String

    @Option(name: .customLong("include"), help: "A directory includes/imports are resolved in (repeatable).")
    var includes: [String] = []

    @Option(help: "The service to serve (Thrift IDL name, or package.Service).")
    var service: String?

    @Option(help: "buffered | framed | ttheader | kitex-protobuf | grpc")
    var framing: String = "framed"

    @Option(help: "Thrift protocol: binary or compact.")
    var `protocol`: ThriftEncodingArgument = .binary

    @Option(help: "HOST:PORT to listen on (port 0 picks a free port), a Unix socket path, or shmipc:///PATH.")
    var listen: String = "127.0.0.1:9090"

    @Option(help: "A JSON file of replies by method name.")
    var responses: String?

    @Option(name: .customLong("delay-ms"), help: "Milliseconds to wait before each reply.")
    var delayMilliseconds: Int = 0

    @Option(name: .customLong("fail-rate"), help: "Fraction of calls (0 to 1) that fail.")
    var failRate: Double = 0

    @Option(name: .customLong("fail-mode"), help: "How injected failures look: exception, close or mixed.")
    var failMode: String = "mixed"

    @Option(
        help: """
            Register in etcd as Kitex's registry-etcd does: etcd://HOST:PORT[,HOST:PORT...], or \
            etcds://...?ca=FILE&cert=FILE&key=FILE over TLS.
            """)
    var register: String?

    @Option(name: .customLong("register-name"), help: "The Kitex service name to register under (default: --service, or the schema's service).")
    var registerName: String?

    @Option(help: "HOST:PORT to register (default: the address listened on).")
    var advertise: String?

    @Option(help: "The registered instance's weight (1...1000).")
    var weight: Int = 10

    @Option(name: .customLong("ttl"), help: "Seconds the registration outlives the process (the lease's TTL).")
    var ttl: Int = 10

    func run() async throws {
        do throws(CallError) {
            guard let framing = Framing(rawValue: framing) else {
                throw CallError(.invalidArgument, "--framing \(framing) is not one of buffered, framed, ttheader, kitex-protobuf, grpc")
            }
            guard let mode = MockBehavior.FailureMode(rawValue: failMode) else {
                throw CallError(.invalidArgument, "--fail-mode \(failMode) is not one of exception, close, mixed")
            }
            guard (0...1).contains(failRate) else { throw CallError(.invalidArgument, "--fail-rate must be within 0...1") }
            let loaded = try ServiceSchema.load(path: schema, includeDirectories: includes, service: service)
            var replies = MockResponses()
            if let responses {
                guard let data = FileManager.default.contents(atPath: responses) else {
                    throw CallError(.invalidArgument, "cannot read \(responses)")
                }
                replies = try MockResponses(json: [UInt8](data))
            }
            let responder = try MockResponder(schema: loaded, responses: replies, thriftProtocol: `protocol`.encoding)
            let server = MockServer(
                responder: responder, framing: framing,
                behavior: MockBehavior(delay: .milliseconds(delayMilliseconds), failureRate: failRate, failureMode: mode))
            let bound: Endpoint
            do {
                if listen.hasPrefix("shmipc://") {
                    guard framing != .grpc, framing != .buffered else {
                        throw CallError(.invalidArgument, "shmipc carries framed, ttheader and kitex-protobuf only")
                    }
                    bound = try await server.start(shmipcPath: String(listen.dropFirst("shmipc://".count)))
                } else {
                    switch try Endpoint(parsing: listen, listening: true) {
                    case .tcp(let host, let port): bound = try await server.start(host: host, port: port)
                    case .unix(let path): bound = try await server.start(unixPath: path)
                    }
                }
            } catch let error as CallError {
                throw error
            } catch {
                throw CallError(.unavailable, "cannot listen on \(listen): \(error)")
            }
            var registration: KitexRegistration?
            if let register {
                let name = registerName ?? service ?? loaded.serviceName
                let address = advertise ?? bound.description
                do {
                    let made = try KitexRegistration(
                        store: register, service: name, address: address, weight: weight, ttl: Int64(ttl),
                        logger: Logger(label: "portico.mock.register"))
                    try await made.start()
                    registration = made
                } catch {
                    throw CallError(.unavailable, "cannot register \(name) at \(address) in \(register): \(error)")
                }
            }
            writeStandardOutput(Array("mock \(loaded.serviceName) (\(framing.rawValue)) listening on \(bound)\n".utf8))
            await server.wait()
            await registration?.stop()
        } catch {
            FileHandle.standardError.write(Data((error.json() + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
