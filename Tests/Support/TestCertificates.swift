public import Foundation

/// Throwaway PEM files made with the `openssl` command line for one test: a CA, a server certificate for
/// 127.0.0.1 (an IP SAN) and a client certificate signed by it, and a second CA that signed neither. EC P-256
/// keys, valid for a day; removed by ``remove()``.
public struct TestCertificates: Sendable {
    public let directory: String
    public var ca: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    /// A CA that signed nothing here: trusting it alone makes the server's certificate fail verification.
    public var otherCA: String { directory + "/other-ca.pem" }
    /// A server certificate (signed by ``ca``) naming only the DNS name `peer.test`, no address.
    public var namedServerCertificate: String { directory + "/named.pem" }
    public var namedServerKey: String { directory + "/named.key" }

    public init() throws {
        directory = NSTemporaryDirectory() + "portico-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["ca", "other-ca"] {
            try openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "1",
                "-subj", "/CN=portico-test-\(name)",
            ])
        }
        try issue(
            "server", subject: "/CN=127.0.0.1",
            extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try issue("client", subject: "/CN=portico", extensions: "extendedKeyUsage=clientAuth\n")
        try issue(
            "named", subject: "/CN=peer.test", extensions: "subjectAltName=DNS:peer.test\nextendedKeyUsage=serverAuth\n")
    }

    /// Deletes the files.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func issue(_ name: String, subject: String, extensions: String) throws {
        let base = "\(directory)/\(name)"
        try extensions.write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
            "-out", base + ".csr", "-subj", subject,
        ])
        try openssl([
            "x509", "-req", "-in", base + ".csr", "-CA", ca, "-CAkey", directory + "/ca.key", "-set_serial",
            String(UInt32.random(in: 1...UInt32.max)), "-days", "1", "-extfile", base + ".ext", "-out", base + ".pem",
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EtcdFailure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(text)")
        }
    }
}
