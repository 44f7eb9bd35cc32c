import DynamicCodec
import GenericCall

extension ServiceConfig {
    /// `tls: { ca: FILE, cert: FILE, key: FILE, server_name: NAME }` on a gRPC service: every key optional (`tls:
    /// {}` trusts the system's roots), `cert` and `key` together. The files are read when the service's client is
    /// made; one that does not load fails its calls with UNAVAILABLE naming it.
    static func tlsSettings(_ reader: inout ConfigReader, framing: Framing?, transport: Transport) throws(ConfigError)
        -> ClientTLSConfiguration?
    {
        guard let node = reader.node("tls") else { return nil }
        let path = reader.keyPath("tls")
        guard framing == nil || framing == .grpc, transport == .tcp else {
            throw ConfigError(path, "TLS is offered for gRPC services over TCP only")
        }
        var tlsReader = try ConfigReader(node, path: path)
        let ca = try tlsReader.string("ca")
        let certificate = try tlsReader.string("cert")
        let key = try tlsReader.string("key")
        let serverName = try tlsReader.string("server_name")
        try tlsReader.rejectUnknownKeys()
        guard (certificate == nil) == (key == nil) else {
            throw ConfigError(path, certificate == nil ? "key needs cert" : "cert needs key")
        }
        return ClientTLSConfiguration(
            trustRoots: ca.map { .pemFile($0) } ?? .system, certificateChainFile: certificate, privateKeyFile: key,
            serverName: serverName)
    }

    /// `{"ca":...,"cert":...,"key":...,"server_name":...}` with the keys that are set.
    static func tlsJSON(_ tls: ClientTLSConfiguration) -> String {
        var fields: [String] = []
        if case .pemFile(let path) = tls.trustRoots { fields.append("\"ca\":" + JSONString.quoted(path)) }
        if let file = tls.certificateChainFile { fields.append("\"cert\":" + JSONString.quoted(file)) }
        if let file = tls.privateKeyFile { fields.append("\"key\":" + JSONString.quoted(file)) }
        if let name = tls.serverName { fields.append("\"server_name\":" + JSONString.quoted(name)) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
