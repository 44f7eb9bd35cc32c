import Benchmark
import DynamicCodec

/// Registers the JSON and HTTP paths of the Thrift codec: struct -> JSON, JSON -> struct, and an HTTP request ->
/// the encoded arguments of the BaselineService method that takes the message. No reference runs here: Apache
/// Thrift's TJSONProtocol writes a different, typed JSON, so issue 5 compares these with Portico's own Protobuf
/// conversions (bytes per second) instead.
func registerThriftJSONBenchmarks(_ fixture: ThriftFixture, _ configuration: Benchmark.Configuration) {
    let library = fixture.encoding == .binary ? "ThriftBinary" : "ThriftCompact"
    let name = { (operation: String) in "\(library)/\(operation)/\(fixture.size)" }
    let json = fixture.checkedJSON()
    let http = fixture.checkedHTTPRequest()
    // Throughput is counted in binary bytes (the protocol's encoding of the message) both ways, as on the
    // Protobuf side, so the two are compared per byte of the encoded message.

    Benchmark(name("ToJSON"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixture.value().json())
        }
    }

    Benchmark(name("FromJSON"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try ThriftJSON.decode(json, as: fixture.descriptor, schema: fixture.schema, encoding: fixture.encoding))
        }
    }

    Benchmark(name("HTTPToBinary"), configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try ThriftHTTPMapping.request(
                    http.request, pathParameters: http.pathParameters, method: http.method, schema: fixture.schema,
                    options: http.options))
        }
    }
}

/// An HTTP request for a BaselineService method, as the route matcher would hand it over.
struct ThriftHTTPCase: Sendable {
    let request: HTTPRequestParts
    let pathParameters: [HTTPPathParameter]
    let method: ThriftMethodDescriptor
    let options: HTTPMappingOptions
}

extension ThriftFixture {
    /// The message as JSON (Portico's conventions), checked to convert back to the same bytes.
    func checkedJSON() -> [UInt8] {
        do {
            let json = try value().json()
            let back = try ThriftJSON.decode(json, as: descriptor, schema: schema, encoding: encoding)
            guard back == bytes else { fatalError("Thrift JSON of \(size) \(encoding) does not convert back") }
            return json
        } catch {
            fatalError("Thrift JSON check failed on \(size) \(encoding): \(error)")
        }
    }

    /// `POST /baseline/...` for the method taking this message. On the medium message (`Nesting`, annotated) the
    /// request spreads the struct over the HTTP parts: `String` in a header, `I32` in the path, `ListI32` in the
    /// query, `I64` in a cookie, the rest in the JSON body. Checked to give the arguments struct holding exactly
    /// the original bytes.
    func checkedHTTPRequest() -> ThriftHTTPCase {
        do {
            let methodName = ["small": "SimpleMethod", "medium": "NestingMethod", "large": "Nesting2Method"][size]!
            let method = schema.services.first { $0.name.hasSuffix("BaselineService") }!.methods.first { $0.name == methodName }!
            var options = HTTPMappingOptions()
            options.thriftProtocol = encoding
            var body = try value()
            var headers = [HTTPHeader("Content-Type", "application/json")]
            var path = "/baseline/\(["small": "simple", "medium": "nesting", "large": "nesting2"][size]!)"
            var pathParameters: [HTTPPathParameter] = []
            var query = ""
            if size == "medium" {
                guard case .scalar(.string(let text)) = try body.get("String"),
                    case .scalar(.i32(let i32)) = try body.get("I32"),
                    case .scalar(.i64(let i64)) = try body.get("I64"),
                    case .list(let list)? = try body.get("ListI32")
                else { fatalError("unexpected Nesting field values") }
                headers.append(HTTPHeader("String", text))
                headers.append(HTTPHeader("Cookie", "i64=\(i64)"))
                path += "/\(i32)"
                pathParameters = [HTTPPathParameter("i32", "\(i32)")]
                query = list.map { element -> String in
                    guard case .scalar(.i32(let number)) = element else { fatalError("ListI32 holds i32") }
                    return "list_i32=\(number)"
                }.joined(separator: "&")
                for field in ["String", "I32", "I64", "ListI32"] { _ = try body.unset(field) }
            }
            let request = HTTPRequestParts(
                method: "POST", path: path, rawQuery: query, headers: headers, body: try body.json())
            let http = ThriftHTTPCase(request: request, pathParameters: pathParameters, method: method, options: options)
            let mapped = try ThriftHTTPMapping.request(
                request, pathParameters: pathParameters, method: method, schema: schema, options: options)
            // The arguments struct: field 1 (`req`, a struct), the message, the stop byte.
            let header: [UInt8] = encoding == .binary ? [0x0C, 0x00, 0x01] : [0x1C]
            guard mapped == header + bytes + [0] else {
                fatalError("HTTP request -> Thrift of \(size) \(encoding) is not the arguments struct of the message")
            }
            return http
        } catch {
            fatalError("Thrift HTTP check failed on \(size) \(encoding): \(error)")
        }
    }
}
