import HTTPTypes
import Hummingbird
import NIOCore

@testable import Gateway

/// Runs requests through the gateway's handler without a socket.
extension GatewayServer {
    func inProcess(_ method: HTTPRequest.Method, _ path: String, body: String = "", headers: HTTPFields = [:])
        async throws -> TestResponse
    {
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "test", path: path, headerFields: headers),
            body: RequestBody(buffer: ByteBuffer(string: body)))
        let response = await handler.respond(to: request)
        let collector = BodyCollector()
        try await response.body.write(CollectingWriter(collector: collector))
        return TestResponse(
            status: response.status.code, headers: response.headers.map { ($0.name.rawName, $0.value) },
            body: collector.bytes.value)
    }
}

final class BodyCollector: Sendable {
    let bytes = Shared<[UInt8]>([])
}

struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        let bytes = Array(buffer.readableBytesView)
        collector.bytes.update { $0 += bytes }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
