import DynamicCodec
import Foundation
@_spi(Benchmarks) import Gateway
import GenericCall
import NIOCore
import NIOEmbedded

// The gateway request fixture shared by the allocation benchmark (GatewayBenchmarks) and the allocation probe
// (GatewayAllocationProbe, for heaptrack): one request at a time through the data plane on an EmbeddedChannel.

/// A gateway with one framed-Thrift service (baseline.thrift) behind an in-process backend, on an EmbeddedChannel.
public final class GatewayRequestFixture {
    let channel: EmbeddedChannel
    let request: ByteBuffer
    let server: GatewayServer
    let store: URL

    public init(size: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let schemaPath = root.appendingPathComponent("Descriptors/baseline.thrift").path
        let schema = try ThriftSchema.load(path: schemaPath, includeDirectories: [])
        let type = size == "small" ? "Simple" : "Nesting"
        let method = size == "small" ? "SimpleMethod" : "NestingMethod"
        guard let descriptor = schema.structType(named: type) else { throw FixtureError("no struct \(type)") }
        let message = try [UInt8](Data(contentsOf: root.appendingPathComponent("Benchmarks/data/thrift-\(size).binary")))
        let json = try ThriftJSON.encode(message, as: descriptor, schema: schema)
        // The backend's reply: the result struct `{0: message}`, made once.
        var reply: [UInt8] = [0x0C, 0x00, 0x00]
        reply += message
        reply.append(0x00)
        store = FileManager.default.temporaryDirectory.appendingPathComponent("portico-bench-\(getpid())-\(size)")
        let config = try GatewayConfig(
            yaml: """
                listen: 127.0.0.1:0
                store: \(store.path)
                limits: { max_body: 4MiB }
                services:
                  - name: thrift
                    schema: \(schemaPath)
                    service: BaselineService
                    framing: framed
                    protocol: binary
                    endpoints: [127.0.0.1:1]
                """)
        server = try GatewayServer(config: config, invoker: ImmediateInvoker(reply: reply))
        channel = EmbeddedChannel()
        try server.configureDataPlane(channel.pipeline.syncOperations)
        var text = "POST /BaselineService/\(method) HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        text += "Content-Length: \(json.count)\r\n\r\n"
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + json.count)
        buffer.writeString(text)
        buffer.writeBytes(json)
        request = buffer
        // One exchange to check the answer before anything is measured.
        let answer = try exchange()
        guard answer > json.count else { throw FixtureError("the gateway answered \(answer) bytes") }
    }

    /// Sends the request, reads the whole response; returns its size.
    public func exchange() throws -> Int {
        try channel.writeInbound(request)
        var total = 0
        while let part = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = part { total += buffer.readableBytes }
        }
        return total
    }

    public func close() throws {
        _ = try channel.finish()
        try? FileManager.default.removeItem(at: store)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A backend that answers every call at once with the same bytes, on the caller's event loop.
struct ImmediateInvoker: BackendInvoker {
    let reply: [UInt8]

    func start(
        _ call: BackendCall, on eventLoop: any EventLoop, completion: @escaping (Result<[UInt8], CallError>) -> Void
    ) -> BackendCallHandle {
        completion(.success(reply))
        return BackendCallHandle {}
    }

    func unary(_ call: BackendCall) async throws(CallError) -> [UInt8] { reply }

    func serverStream(_ call: BackendCall) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { nil }
    }

    func servicesChanged(_ services: [ServiceConfig]) async {}
}
