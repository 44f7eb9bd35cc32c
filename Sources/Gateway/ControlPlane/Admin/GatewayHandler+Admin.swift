import DynamicCodec
import HTTPMapping
import HTTPTypes
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension GatewayHandler {
    /// Bodies of admin requests may be larger than RPC bodies: descriptor bundles.
    var adminBodyLimit: Int { max(limits.maxBody, 16 << 20) }

    /// The admin API (only when a token is configured): descriptors and services.
    func admin(_ request: Request, path: String) async -> Response {
        guard authorized(request) else {
            var error = GatewayError(
                code: "UNAUTHENTICATED", status: 401, "the admin API needs 'Authorization: Bearer <token>'")
            error.headers = [("WWW-Authenticate", "Bearer realm=\"portico-admin\"")]
            return Self.response(error)
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).map(String.init)
        let method = request.method == .head ? "GET" : request.method.rawValue
        do {
            switch (segments.first, segments.count, method) {
            case ("descriptors", 1, "GET"): return listDescriptors()
            case ("descriptors", 2, "GET"): return try descriptor(segments[1])
            case ("descriptors", 2, "POST"):
                let body = try await adminBody(request)
                let bundle = try DescriptorBundle.upload(body: body, contentType: request.headers[.contentType])
                let label = request.uri.queryParameters.get("label")
                if let label, label.isEmpty || label.utf8.count > 200 || label.contains(where: \.isNewline) {
                    throw GatewayError.invalidArgument("the label must be 1-200 characters on one line")
                }
                var ifVersion: Int?
                if let text = request.uri.queryParameters.get("if_version") {
                    guard let value = Int(text), value >= 0 else {
                        throw GatewayError.invalidArgument("if_version must be a version number (0: none yet)")
                    }
                    ifVersion = value
                }
                let entry = try await control.upload(segments[1], bundle, label: label, ifVersion: ifVersion)
                return Self.json(Self.entryJSON(segments[1], entry, full: false), status: 201)
            case ("descriptors", 2, "DELETE"):
                try await control.deleteDescriptors(segments[1])
                return Self.json("{\"deleted\":\(JSONString.quoted(segments[1]))}")
            case ("descriptors", 3, "POST") where segments[2] == "rollback":
                let entry = try await control.rollback(segments[1])
                return Self.json(Self.entryJSON(segments[1], entry, full: false))
            case ("services", 1, "GET"):
                return Self.json(
                    "{\"services\":[" + holder.snapshot.services.map { $0.json() }.joined(separator: ",") + "]}")
            case ("services", 2, "GET"):
                guard let service = holder.snapshot.services.first(where: { $0.name == segments[1] }) else {
                    throw GatewayError.notFound("no service named '\(segments[1])'")
                }
                return Self.json(service.json())
            case ("services", 2, "PUT"):
                let body = try await adminBody(request)
                let service = try await control.putService(segments[1], json: body)
                return Self.json(service.json())
            case ("services", 2, "DELETE"):
                try await control.deleteService(segments[1])
                return Self.json("{\"deleted\":\(JSONString.quoted(segments[1]))}")
            default:
                return Self.response(
                    GatewayError(code: "ROUTE_NOT_FOUND", status: 404, "no admin endpoint for \(method) \(path)"))
            }
        } catch {
            return Self.response(Self.gatewayError(error))
        }
    }

    private func authorized(_ request: Request) -> Bool {
        guard let adminToken, let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return false
        }
        let given = Array(header.utf8.dropFirst("Bearer ".count))
        let expected = Array(adminToken.utf8)
        // Constant time in the token's length.
        var difference = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
        }
        return difference == 0
    }

    private func adminBody(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > adminBodyLimit {
            throw GatewayError.payloadTooLarge(limit: adminBodyLimit)
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= adminBodyLimit else {
                throw GatewayError.payloadTooLarge(limit: adminBodyLimit)
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    private func listDescriptors() -> Response {
        let registry = control.registrySnapshot()
        let items = registry.keys.sorted().map { Self.entryJSON($0, registry[$0]!, full: false) }
        return Self.json("{\"descriptors\":[" + items.joined(separator: ",") + "]}")
    }

    private func descriptor(_ name: String) throws(GatewayError) -> Response {
        guard let entry = control.registrySnapshot()[name] else { throw .notFound("no descriptors named '\(name)'") }
        return Self.json(Self.entryJSON(name, entry, full: true))
    }

    /// A registry name as JSON: versions, the active one, its routes, and (full) its source.
    static func entryJSON(_ name: String, _ entry: RegistryEntry, full: Bool) -> String {
        var fields = [
            "\"name\":\(JSONString.quoted(name))",
            "\"active_version\":\(entry.active)",
            "\"versions\":[\(entry.versions.map(String.init).joined(separator: ","))]",
            "\"kind\":\(JSONString.quoted(entry.bundle.kind.rawValue))",
            "\"services\":[\(entry.schema.serviceNames.map(JSONString.quoted).joined(separator: ","))]",
        ]
        if !entry.labels.isEmpty {
            let labels = entry.labels.keys.sorted().map { "\"\($0)\":" + JSONString.quoted(entry.labels[$0]!) }
            fields.append("\"labels\":{\(labels.joined(separator: ","))}")
        }
        let routes: [Route]
        switch entry.schema {
        case .protobuf(let schema): routes = (try? RouteTable([.protobuf(schema)]))?.routes ?? []
        case .thrift(let schema): routes = (try? RouteTable([.thrift(schema)]))?.routes ?? []
        }
        fields.append("\"routes\":[\(routes.map { JSONString.quoted($0.description) }.joined(separator: ","))]")
        if full {
            if let main = entry.bundle.main { fields.append("\"main\":\(JSONString.quoted(main))") }
            if !entry.bundle.files.isEmpty {
                let files = entry.bundle.files.keys.sorted().map {
                    JSONString.quoted($0) + ":" + JSONString.quoted(entry.bundle.files[$0]!)
                }
                fields.append("\"files\":{\(files.joined(separator: ","))}")
            }
            if let set = entry.bundle.descriptorSet {
                fields.append("\"descriptor_set\":\(JSONString.quoted(Data(set).base64EncodedString()))")
            }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
