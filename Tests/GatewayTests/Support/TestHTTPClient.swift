import Foundation
import NIOCore
import NIOPosix

/// A response read by ``TestHTTPClient``.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `code` of an errors.md JSON body.
    var errorCode: String? {
        guard let range = text.range(of: "\"code\":\"") else { return nil }
        let rest = text[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

struct TestHTTPError: Error, CustomStringConvertible {
    var description: String
}

/// A small HTTP/1.1 client over NIO for live-server tests: it writes exactly the bytes it is given (so malformed
/// requests can be sent), and parses responses with Content-Length, chunked bodies, or read-until-close.
enum TestHTTPClient {
    static func request(
        port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(10)
    ) async throws -> TestResponse {
        let responses = try await exchange(
            port: port, [encode(method, target, headers: headers, body: body)], heads: [method == "HEAD"],
            timeout: timeout)
        guard let response = responses.first else { throw TestHTTPError(description: "no response") }
        return response
    }

    static func encode(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [])
        -> [UInt8]
    {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    /// Sends the requests one after another on one connection; returns the responses read (fewer if the server
    /// closed the connection).
    static func exchange(port: Int, _ requests: [[UInt8]], heads: [Bool]? = nil, timeout: Duration = .seconds(10))
        async throws -> [TestResponse]
    {
        try await withTimeout(timeout) {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var parser = ResponseParser()
                var responses: [TestResponse] = []
                for (index, request) in requests.enumerated() {
                    try await outbound.write(ByteBuffer(bytes: request))
                    parser.isHead = heads?[index] ?? false
                    while true {
                        if let response = try parser.next(atEnd: false) {
                            responses.append(response)
                            break
                        }
                        guard let chunk = try? await iterator.next() else {
                            if let response = try parser.next(atEnd: true) { responses.append(response) }
                            return responses
                        }
                        parser.buffer.append(contentsOf: chunk.readableBytesView)
                    }
                }
                return responses
            }
        }
    }

    /// Sends a request and closes the connection after `delay` without reading the reply (a client that goes
    /// away).
    static func abandon(port: Int, _ request: [UInt8], after delay: Duration) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: request))
            try await Task.sleep(for: delay)
        }
    }

    static func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestHTTPError(description: "timed out after \(timeout)")
            }
            let result = try await group.next()!
            group.cancelAll()
            return result
        }
    }
}

/// Incremental HTTP/1.1 response parsing.
struct ResponseParser {
    var buffer: [UInt8] = []
    var isHead = false

    mutating func next(atEnd: Bool) throws -> TestResponse? {
        guard let headerEnd = find([13, 10, 13, 10]) else {
            if atEnd, !buffer.isEmpty { throw TestHTTPError(description: "truncated response head") }
            return nil
        }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestHTTPError(description: "bad status line \(lines[0])")
        }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        let bodyStart = headerEnd + 4
        if isHead || status == 204 || status == 304 || (100..<200).contains(status) {
            buffer.removeFirst(bodyStart)
            return TestResponse(status: status, headers: headers, body: [])
        }
        if let length = header("content-length").flatMap(Int.init) {
            guard buffer.count - bodyStart >= length else { return nil }
            let body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return TestResponse(status: status, headers: headers, body: body)
        }
        if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            var position = bodyStart
            var body: [UInt8] = []
            while true {
                guard let lineEnd = find([13, 10], from: position) else { return nil }
                let sizeText = String(decoding: buffer[position..<lineEnd], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                    throw TestHTTPError(description: "bad chunk size \(sizeText)")
                }
                let dataStart = lineEnd + 2
                if size == 0 {
                    guard let trailerEnd = find([13, 10], from: dataStart) else { return nil }
                    buffer.removeFirst(trailerEnd + 2)
                    return TestResponse(status: status, headers: headers, body: body)
                }
                guard buffer.count >= dataStart + size + 2 else { return nil }
                body += buffer[dataStart..<(dataStart + size)]
                position = dataStart + size + 2
            }
        }
        guard atEnd else { return nil }
        let body = Array(buffer[bodyStart...])
        buffer.removeAll()
        return TestResponse(status: status, headers: headers, body: body)
    }

    private func find(_ needle: [UInt8], from start: Int = 0) -> Int? {
        guard buffer.count >= needle.count, start <= buffer.count - needle.count else { return nil }
        for index in start...(buffer.count - needle.count) where buffer[index] == needle[0] {
            if buffer[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
