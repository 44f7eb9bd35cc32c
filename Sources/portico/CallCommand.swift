import ArgumentParser
import DynamicCodec
import Foundation
import GenericCall

/// `portico call`: one JSON call to any Thrift, Kitex or gRPC service.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any RPC method with a JSON request and print the JSON reply.",
        discussion: """
            Examples:
              portico call --schema Descriptors/bookstore.thrift --method BookService.GetBook \\
                --target framed://127.0.0.1:9090 --data '{"id": 1}'
              portico call --schema Descriptors/bookstore.proto --method bookstore.v1.Bookstore.GetBook \\
                --target grpc://127.0.0.1:50051 --data '{"name": "shelves/1/books/2"}' --timeout 200ms
            On failure the error JSON ({"code": ..., "message": ..., "details": ...}) is printed and the exit status is 1.
            """
    )

    @OptionGroup var arguments: CallArguments

    func run() async throws {
        switch await perform() {
        case .success(true): return
        case .success(false): throw ExitCode(1)
        case .failure(let error):
            writeStandardOutput(Array((error.json() + "\n").utf8))
            throw ExitCode(1)
        }
    }

    /// Prints the reply; success(false) when the printed reply is an error body (a declared exception).
    func perform() async -> Result<Bool, CallError> {
        do throws(CallError) {
            let prepared = try arguments.prepare()
            defer { Task { await prepared.client.shutdown() } }
            let caller = prepared.caller
            if caller.isClientStreaming(prepared.method) {
                try await streamRequests(caller: caller, prepared: prepared)
                return .success(true)
            }
            if caller.isServerStreaming(prepared.method) {
                let stream = try caller.stream(
                    method: prepared.method, json: prepared.json, headers: prepared.headers, options: CallOptions())
                do {
                    for try await message in stream { writeStandardOutput(message + [0x0A]) }
                } catch let error as CallError {
                    throw error
                } catch {
                    throw CallError(.grpc(.unknown), "\(error)")
                }
                return .success(true)
            }
            let reply = try await caller.call(method: prepared.method, json: prepared.json, headers: prepared.headers)
            writeStandardOutput(reply.json + [0x0A])
            return .success(!reply.isError)
        } catch {
            return .failure(error)
        }
    }
}

extension CallCommand {
    /// A client-streaming or bidirectional method: request messages are JSON lines (standard input with `--data -`,
    /// or the lines of `--data`), sent as they are read; replies are printed as they come, one JSON document per
    /// line.
    func streamRequests(caller: JSONCaller, prepared: CallArguments.Prepared) async throws(CallError) {
        let stream = try caller.openStream(method: prepared.method, headers: prepared.headers)
        let printer = Task {
            for try await reply in stream.replies { writeStandardOutput(reply + [0x0A]) }
        }
        do {
            if arguments.data == "-" {
                // Standard input is read on a thread of its own: a line is sent as soon as it arrives.
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    Thread.detachNewThread {
                        do {
                            while let line = readLine(strippingNewline: true) {
                                guard line.contains(where: { !$0.isWhitespace }) else { continue }
                                try stream.send(Array(line.utf8))
                            }
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                }
            } else {
                for line in prepared.json.split(separator: UInt8(ascii: "\n")) {
                    guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                    try stream.send(Array(line))
                }
            }
        } catch let error as CallError {
            stream.cancel()
            throw error
        } catch {
            stream.cancel()
            throw CallError(.invalidArgument, "reading the request lines: \(error)")
        }
        stream.finishSending()
        do {
            try await printer.value
        } catch let error as CallError {
            throw error
        } catch {
            throw CallError(.grpc(.unknown), "\(error)")
        }
    }
}

/// The options of one call — schema, method, target, protocol, request, timeouts, retries, headers — shared by
/// `portico call` and `portico bench`, and the one place they are parsed.
struct CallArguments: ParsableArguments {
    @Option(help: "A .thrift or .proto file, or a descriptor set (protoc -o).")
    var schema: String

    @Option(name: .customLong("include"), help: "A directory includes/imports are resolved in (repeatable).")
    var includes: [String] = []

    @Option(help: "The method: Service.Method, or package.Service.Method for Protobuf.")
    var method: String

    @Option(help: "framed://HOST:PORT, buffered://, ttheader://, kitex-protobuf://, grpc:// (several endpoints separated by commas).")
    var target: String

    @Option(help: "Thrift protocol: binary or compact.")
    var `protocol`: ThriftEncodingArgument = .binary

    @Option(help: "The request as JSON (Thrift: the single struct argument, or an object keyed by argument names). '-' reads standard input.")
    var data: String = "{}"

    @Option(help: "RPC timeout, e.g. 200ms or 2s.")
    var timeout: String = "5s"

    @Option(name: .customLong("connect-timeout"), help: "Connect timeout, e.g. 50ms.")
    var connectTimeout: String = "1s"

    @Option(help: "Retries after a failed attempt (the method is then treated as retryable).")
    var retries: Int = 0

    @Flag(name: .customLong("retry-on-timeout"), help: "Also retry after an RPC timeout.")
    var retryOnTimeout = false

    @Option(name: .customLong("header"), help: "A header k=v sent as TTHeader string info or gRPC metadata (repeatable).")
    var headers: [String] = []

    /// A client for the target, the JSON caller over it and the parsed request parts.
    struct Prepared {
        var client: RPCClient
        var caller: JSONCaller
        /// The bare method name (without the service).
        var method: String
        var json: [UInt8]
        var headers: [RPCHeader]
    }

    /// Parses every option, loads the schema and makes the client. `adjust` may change the backend configuration
    /// before the client is made (`portico bench` sizes the connection pool to its callers).
    func prepare(adjust: (inout BackendConfiguration) -> Void = { _ in }) throws(CallError) -> Prepared {
        guard let rpcTimeout = DurationText.parse(timeout) else {
            throw CallError(.invalidArgument, "--timeout \(timeout) is not a duration like 200ms or 2s")
        }
        guard let connect = DurationText.parse(connectTimeout) else {
            throw CallError(.invalidArgument, "--connect-timeout \(connectTimeout) is not a duration like 50ms")
        }
        guard let dot = method.lastIndex(of: ".") else {
            throw CallError(.invalidArgument, "--method must be Service.Method (got \(method))")
        }
        let serviceName = String(method[..<dot])
        let methodName = String(method[method.index(after: dot)...])
        let target = try CallTarget(parsing: self.target)
        let service = try ServiceSchema.load(path: schema, includeDirectories: includes, service: serviceName)
        var retry = RetryPolicy(maxAttempts: retries + 1, retryOnTimeout: retryOnTimeout)
        if retries > 0 { retry.retryableMethods = [methodName] }
        var configuration = BackendConfiguration(
            framing: target.framing, thriftProtocol: `protocol`.encoding, protobuf: service.isProtobuf,
            transport: target.transport, endpoints: target.endpoints, connectTimeout: connect,
            rpcTimeout: rpcTimeout, retry: retry)
        adjust(&configuration)
        var pairs: [RPCHeader] = []
        for header in headers {
            guard let equals = header.firstIndex(of: "=") else {
                throw CallError(.invalidArgument, "--header \(header) is not k=v")
            }
            pairs.append(RPCHeader(String(header[..<equals]), String(header[header.index(after: equals)...])))
        }
        let client = try RPCClient(configuration)
        let caller = JSONCaller(schema: service, client: client)
        var json = Array(data.utf8)
        // A streaming request reads standard input line by line as it sends; any other reads it whole.
        if data == "-", !caller.isClientStreaming(methodName) {
            json = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        return Prepared(client: client, caller: caller, method: methodName, json: json, headers: pairs)
    }
}
