import NIOSSL

/// How a TLS connection that did not become usable becomes a CallError: UNAVAILABLE whose message starts with
/// "TLS" and says why in words (an untrusted or misnamed server certificate, a client certificate the server
/// wants or refuses), followed by BoringSSL's own reason; CONNECT_TIMEOUT when the handshake took too long.
enum GRPCTLSFailure {
    static func error(_ error: any Error, endpoint: Endpoint, timeout: Duration, presentsCertificate: Bool)
        -> CallError
    {
        var details = ["endpoint": "\(endpoint)", "tls": "handshake"]
        if error is GRPCTLSHandshakeHandler.Timeout {
            return CallError(
                .connectTimeout, "TLS handshake with \(endpoint) did not finish within \(timeout)", details: details)
        }
        let reason = explain(error, presentsCertificate: presentsCertificate)
        details["tls_error"] = "\(error)"
        return CallError(.unavailable, "TLS handshake with \(endpoint) failed: \(reason)", details: details)
    }

    /// A person's reading of the error, then the library's text.
    static func explain(_ error: any Error, presentsCertificate: Bool) -> String {
        let text = "\(error)"
        // Servers that require a client certificate answer its absence with one of these alerts (Go's TLS 1.3
        // server, etcd's, sends BAD_CERTIFICATE).
        if !presentsCertificate,
            ["CERTIFICATE_REQUIRED", "BAD_CERTIFICATE", "HANDSHAKE_FAILURE"].contains(where: { text.contains($0) })
        {
            return "the server requires a client certificate and none is configured (\(text))"
        }
        if error is GRPCTLSHandshakeHandler.ClosedEarly {
            return "the server closed the connection (is it serving TLS? does it want a client certificate?)"
        }
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "certificate verification failed: the server's certificate does not name this server (\(text))"
        }
        let known: [(String, String)] = [
            (
                "CERTIFICATE_VERIFY_FAILED",
                "certificate verification failed: the server's certificate is not signed by a trusted CA"
            ),
            ("CERTIFICATE_REQUIRED", "the server requires a client certificate"),
            ("UNKNOWN_CA", "the server does not trust our client certificate's CA"),
            ("BAD_CERTIFICATE", "the server refused our client certificate"),
            ("CERTIFICATE_EXPIRED", "a certificate has expired"),
            ("WRONG_VERSION_NUMBER", "the server does not speak TLS"),
            ("HANDSHAKE_FAILURE", "the server refused the handshake (does it want a client certificate?)"),
        ]
        for (marker, meaning) in known where text.contains(marker) {
            return "\(meaning) (\(text))"
        }
        return text
    }
}
