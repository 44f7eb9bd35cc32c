/// TLS for the connections of a gRPC backend: whom to trust, which certificate to show, which name to expect.
///
/// Files are PEM and are read once, when the ``RPCClient`` is made (a file that cannot be read or parsed fails
/// that with UNAVAILABLE naming the file). Connections negotiate HTTP/2 by ALPN (`h2`) and count as open only once
/// the handshake is done and the server's first HTTP/2 frame arrived, so a certificate the server refuses fails
/// the connect (UNAVAILABLE, retried on another endpoint) rather than a call in flight.
public struct ClientTLSConfiguration: Sendable, Hashable {
    /// The certificate authorities a server's certificate must chain to.
    public enum TrustRoots: Sendable, Hashable {
        /// The system's store (Debian: `/etc/ssl/certs`).
        case system
        /// Every certificate in a PEM file (a private CA, as etcd clusters use).
        case pemFile(String)
    }

    public var trustRoots: TrustRoots
    /// The client certificate chain (leaf first) for servers that ask for one (etcd's `--client-cert-auth`).
    public var certificateChainFile: String?
    /// The private key of the chain's leaf; required exactly when ``certificateChainFile`` is given.
    public var privateKeyFile: String?
    /// The name sent as SNI and checked against the server's certificate; nil: the endpoint's host. When the name
    /// used is an IP address, no SNI is sent and the certificate must list that address (an IP SAN).
    public var serverName: String?

    public init(
        trustRoots: TrustRoots = .system, certificateChainFile: String? = nil, privateKeyFile: String? = nil,
        serverName: String? = nil
    ) {
        self.trustRoots = trustRoots
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
    }
}
