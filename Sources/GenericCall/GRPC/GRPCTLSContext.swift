import Foundation
import NIOCore
import NIOSSL

/// A ``ClientTLSConfiguration`` loaded once per client: the files read and parsed into one `NIOSSLContext` that
/// every connection of the client shares, each connection getting its own `NIOSSLClientHandler`.
package struct GRPCTLSContext: Sendable {
    let sslContext: NIOSSLContext
    let serverName: String?
    /// Whether we show a client certificate (so that a refusal can say whether one was missing).
    let presentsCertificate: Bool

    /// Reads the configured files; a missing, unreadable or malformed one is UNAVAILABLE naming it.
    package init(loading configuration: ClientTLSConfiguration) throws(CallError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2"]
        tls.minimumTLSVersion = .tlsv12
        switch configuration.trustRoots {
        case .system:
            tls.trustRoots = .default
        case .pemFile(let path):
            let roots = try Self.certificates(path, "CA")
            tls.trustRoots = .certificates(roots)
        }
        switch (configuration.certificateChainFile, configuration.privateKeyFile) {
        case (nil, nil):
            break
        case (let chain?, let key?):
            tls.certificateChain = try Self.certificates(chain, "client certificate").map { .certificate($0) }
            let bytes = try Self.read(key, "client key")
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: bytes, format: .pem))
            } catch {
                throw Self.failure("the client key \(key) holds no PEM private key (\(error))")
            }
        case (_?, nil):
            throw Self.failure("a client certificate needs its private key")
        case (nil, _?):
            throw Self.failure("a client key needs its certificate")
        }
        do {
            sslContext = try NIOSSLContext(configuration: tls)
        } catch {
            // BoringSSL checks here that the key belongs to the certificate.
            throw Self.failure("the TLS settings do not load (does the key belong to the certificate?): \(error)")
        }
        serverName = configuration.serverName
        presentsCertificate = configuration.certificateChainFile != nil
    }

    /// The name for SNI and certificate verification when connecting to `host`: the configured server name, else
    /// the host; nil when that is an IP address (SNI carries no addresses; NIOSSL then checks the certificate's IP
    /// SANs against the address connected to).
    func hostname(connectingTo host: String) -> String? {
        let name = serverName ?? host
        return (try? SocketAddress(ipAddress: name, port: 0)) == nil ? name : nil
    }

    /// The handler that encrypts one connection.
    func makeHandler(connectingTo host: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: sslContext, serverHostname: hostname(connectingTo: host))
    }

    private static func certificates(_ path: String, _ what: String) throws(CallError) -> [NIOSSLCertificate] {
        let bytes = try read(path, what)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw failure("the \(what) file \(path) is not PEM certificates (\(error))")
        }
        guard !certificates.isEmpty else { throw failure("the \(what) file \(path) holds no PEM certificate") }
        return certificates
    }

    private static func read(_ path: String, _ what: String) throws(CallError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw failure("the \(what) file \(path) \(reason)")
        }
        return [UInt8](data)
    }

    @inline(never)
    static func failure(_ message: String) -> CallError {
        CallError(.unavailable, "TLS: " + message, details: ["tls": "configuration"])
    }
}
