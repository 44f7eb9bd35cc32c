import DynamicCodec
import HTTPMapping

/// An HTTP request routed and mapped to an RPC request by the routes of bookstore.proto and demo/inventory.proto,
/// or of bookstore.thrift (the two declare the same paths, so each has its table). Input: the selector byte (low 3
/// bits the HTTP method; bit 3 Thrift compact; bit 4 strict; bit 5 the request as a stream message; bit 6 the
/// Thrift routes), then text like an HTTP/1 request without its version: the target line
/// (`/v1/shelves/1?x=y`), header lines (`Name: value`), an empty line and the body. The body also goes through the
/// reply mapping as the backend's reply bytes.
///
/// Invariant: a request that maps gives bytes that validate as the method's request message (Protobuf) or
/// arguments struct (Thrift, in the chosen protocol).
enum HTTPMappingCheck {
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get"]

    static let protoRoutes: RouteTable = {
        do {
            return try RouteTable(protobuf: [FuzzSchemas.httpProto])
        } catch {
            fatalError("fuzz routes: \(error)")
        }
    }()

    static let thriftRoutes: RouteTable = {
        do {
            return try RouteTable(thrift: [FuzzSchemas.httpThrift])
        } catch {
            fatalError("fuzz routes: \(error)")
        }
    }()

    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let (selector, rest) = input.selectorAndPayload
        let request = parse(rest, method: methods[selector & 0x07])
        let options = HTTPMappingOptions(strict: selector & 0x10 != 0, thriftProtocol: selector & 0x08 == 0 ? .binary : .compact)
        let routes = selector & 0x40 == 0 ? protoRoutes : thriftRoutes
        guard let match = try? routes.match(request) else { return }
        _ = try? request.queryItems()
        _ = request.cookies
        let mapped: [UInt8]?
        if selector & 0x20 == 0 {
            mapped = try? match.request(request, options: options)
        } else {
            mapped = try? match.streamMessage(request, options: options)
        }
        if let mapped {
            do {
                switch match.route.target {
                case .protobuf(let schema, _, let method, _):
                    try ProtoValue(bytes: mapped, descriptor: schema.input(of: method), schema: schema).validate()
                case .thrift(let schema, _, let method):
                    try ThriftValue(
                        bytes: mapped, encoding: options.thriftProtocol,
                        descriptor: schema.structs[method.argumentsIndex], schema: schema
                    ).validate()
                }
            } catch {
                throw FuzzInvariantViolation(
                    "\(match.route): the mapped request does not validate: \(error)\n\(hex(mapped))")
            }
        }
        _ = try? match.response(request.body, options: options)
    }

    /// Target line, header lines, blank line, body.
    static func parse(_ bytes: [UInt8], method: String) -> HTTPRequestParts {
        var lines: [String] = []
        var start = 0
        var bodyStart = bytes.count
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                let line = String(decoding: bytes[start..<index], as: UTF8.self)
                start = index + 1
                if line.isEmpty && !lines.isEmpty {
                    bodyStart = start
                    break
                }
                lines.append(line)
            }
            index += 1
        }
        if bodyStart == bytes.count && start < bytes.count {
            lines.append(String(decoding: bytes[start...], as: UTF8.self))
        }
        let target = lines.first ?? "/"
        let headers = lines.dropFirst().compactMap { line -> HTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HTTPHeader(
                String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        return HTTPRequestParts(
            method: method, target: target, headers: headers, body: Array(bytes[min(bodyStart, bytes.count)...]))
    }
}
