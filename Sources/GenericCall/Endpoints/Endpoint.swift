/// Where a backend listens: a TCP host and port, or a Unix domain socket path (ShmIPC).
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// Parses `host:port`, `[v6]:port`, or an absolute socket path (`/run/x.sock`, `unix:/run/x.sock`). Port 0
    /// ("any free port") is accepted only for addresses to listen on.
    public init(parsing text: String, listening: Bool = false) throws(CallError) {
        if text.hasPrefix("/") {
            self = .unix(path: text)
            return
        }
        if text.hasPrefix("unix:") {
            self = .unix(path: String(text.dropFirst(5)))
            return
        }
        var host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Self.invalid(text) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw Self.invalid(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), ((listening ? 0 : 1)...65535).contains(port) else {
            throw Self.invalid(text)
        }
        if host == "localhost" { host = "127.0.0.1" }
        self = .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }

    @inline(never)
    static func invalid(_ text: String) -> CallError {
        CallError(.invalidArgument, "endpoint \"\(text)\" is not host:port or a socket path", details: ["endpoint": text])
    }
}

/// How a backend is reached: the byte stream under the framing.
public enum TransportKind: String, Sendable, Hashable {
    case tcp
    case shmipc
}

/// A `framing://endpoint[,endpoint...]` target as the command line takes it: `framed://127.0.0.1:9090`,
/// `ttheader://a:1,b:2`, `grpc://127.0.0.1:50051`, `shmipc+framed:///tmp/x.sock` (or `shmipc:///tmp/x.sock`, framed).
public struct CallTarget: Sendable, Hashable {
    public var framing: Framing
    public var transport: TransportKind
    public var endpoints: [Endpoint]

    public init(framing: Framing, transport: TransportKind = .tcp, endpoints: [Endpoint]) {
        self.framing = framing
        self.transport = transport
        self.endpoints = endpoints
    }

    public init(parsing text: String) throws(CallError) {
        guard let separator = text.range(of: "://") else {
            throw CallError(
                .invalidArgument, "target \"\(text)\" has no scheme (framed://, buffered://, ttheader://, "
                    + "kitex-protobuf://, grpc://, shmipc://)")
        }
        var scheme = String(text[..<separator.lowerBound]).lowercased()
        let rest = String(text[separator.upperBound...])
        transport = .tcp
        if scheme == "shmipc" {
            transport = .shmipc
            scheme = "framed"
        } else if scheme.hasPrefix("shmipc+") {
            transport = .shmipc
            scheme = String(scheme.dropFirst(7))
        }
        guard let framing = Framing(rawValue: scheme) else {
            throw CallError(.invalidArgument, "unknown framing \"\(scheme)\" in target \"\(text)\"")
        }
        if transport == .shmipc, framing == .grpc || framing == .buffered {
            throw CallError(.invalidArgument, "\(framing.rawValue) cannot run over shmipc (framed, ttheader and "
                + "kitex-protobuf can)")
        }
        self.framing = framing
        var endpoints: [Endpoint] = []
        for part in rest.split(separator: ",") where !part.isEmpty {
            endpoints.append(try Endpoint(parsing: String(part)))
        }
        guard !endpoints.isEmpty else { throw CallError(.invalidArgument, "target \"\(text)\" names no endpoint") }
        if transport == .shmipc, endpoints.contains(where: { if case .tcp = $0 { true } else { false } }) {
            throw CallError(.invalidArgument, "shmipc targets are socket paths, e.g. shmipc:///tmp/portico.sock")
        }
        self.endpoints = endpoints
    }
}
