import Foundation
import GenericCall
import PorticoTestSupport
import Testing

@testable import Gateway

@Suite("Fleet: etcds:// store URLs and TLS files")
struct EtcdTLSURLTests {
    @Test func tlsURLsParseAndNameWhatIsWrong() throws {
        let files = try TestCertificates()
        defer { files.remove() }
        let url = try EtcdStoreURL(
            parsing: "etcds://127.0.0.1:2379,127.0.0.1:2380/team?ca=\(files.ca)&cert=\(files.clientCertificate)"
                + "&key=\(files.clientKey)&server_name=etcd.internal&user=u&password_env=PW")
        #expect(url.prefix == "/team")
        #expect(url.user == "u")
        #expect(
            url.tls
                == ClientTLSConfiguration(
                    trustRoots: .pemFile(files.ca), certificateChainFile: files.clientCertificate,
                    privateKeyFile: files.clientKey, serverName: "etcd.internal"))
        #expect(url.description == "etcds://127.0.0.1:2379,127.0.0.1:2380/team")
        #expect(try EtcdStoreURL(parsing: "etcds://h:1").tls == ClientTLSConfiguration(trustRoots: .system))
        #expect(try EtcdStoreURL(parsing: "etcd://h:1").tls == nil)

        let refused: [(String, String)] = [
            ("etcds://h:1?cert=\(files.clientCertificate)", "cert needs key"),
            ("etcds://h:1?key=\(files.clientKey)", "key needs cert"),
            ("etcds://h:1?ca=/none/ca.pem", "the CA certificate file '/none/ca.pem' (ca=) does not exist"),
            ("etcds://h:1?cert=/none/c.pem&key=\(files.clientKey)", "the client certificate file '/none/c.pem'"),
            ("etcd://h:1?ca=\(files.ca)", "'ca' is a TLS option: use etcds://"),
            ("etcds://h:1?cafile=x", "unknown option 'cafile'"),
        ]
        for (text, reason) in refused {
            do {
                _ = try EtcdStoreURL(parsing: text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.code == "STORE_URL_INVALID", "\(text)")
                #expect(error.message.contains(reason), "\(text): \(error.message)")
            }
        }
    }

    @Test func aCertificateWithoutKeyStopsTheConfig() throws {
        let files = try TestCertificates()
        defer { files.remove() }
        do {
            _ = try GatewayConfig(yaml: "store: etcds://127.0.0.1:2379?cert=\(files.clientCertificate)\nservices: []\n")
            Issue.record("the config loaded")
        } catch {
            #expect(error.keyPath == "store")
            #expect(error.message.contains("STORE_URL_INVALID"), "\(error)")
            #expect(error.message.contains("cert needs key"), "\(error)")
        }
    }

    @Test func filesThatAreNotPEMAreUnavailableNamingTheFile() throws {
        let files = try TestCertificates()
        defer { files.remove() }
        let garbage = files.directory + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let cases: [(ClientTLSConfiguration, String)] = [
            (ClientTLSConfiguration(trustRoots: .pemFile(garbage)), "the CA file \(garbage)"),
            (ClientTLSConfiguration(trustRoots: .pemFile(files.directory + "/none.pem")), "does not exist"),
            (
                ClientTLSConfiguration(
                    trustRoots: .pemFile(files.ca), certificateChainFile: files.clientCertificate,
                    privateKeyFile: garbage),
                "the client key \(garbage)"
            ),
            (
                ClientTLSConfiguration(
                    trustRoots: .pemFile(files.ca), certificateChainFile: files.clientCertificate,
                    privateKeyFile: files.serverKey),
                "does the key belong to the certificate?"
            ),
            (ClientTLSConfiguration(certificateChainFile: files.clientCertificate), "needs its private key"),
        ]
        for (tls, reason) in cases {
            do {
                _ = try RPCClient(
                    BackendConfiguration(framing: .grpc, endpoints: [.tcp(host: "127.0.0.1", port: 1)], tls: tls))
                Issue.record("\(tls) loaded")
            } catch {
                #expect(error.code == .unavailable, "\(error)")
                #expect(error.message.hasPrefix("TLS: "), "\(error)")
                #expect(error.message.contains(reason), "\(error)")
            }
        }
        #expect(throws: CallError.self) {
            _ = try RPCClient(
                BackendConfiguration(
                    framing: .framed, endpoints: [.tcp(host: "127.0.0.1", port: 1)],
                    tls: ClientTLSConfiguration()))
        }
    }
}

@Suite("gRPC services with tls: in the config")
struct ServiceTLSConfigTests {
    @Test func tlsIsReadWrittenAsJSONAndRefusedOffGRPC() throws {
        let config = try GatewayConfig(
            yaml: """
                services:
                  - name: inventory
                    schema: inventory.proto
                    service: Inventory
                    framing: grpc
                    endpoints: [127.0.0.1:50051]
                    tls: { ca: /p/ca.pem, cert: /p/gw.pem, key: /p/gw.key, server_name: inv }
                  - name: open
                    schema: inventory.proto
                    service: Inventory
                    endpoints: [127.0.0.1:50052]
                    tls: {}
                """)
        #expect(
            config.services[0].tls
                == ClientTLSConfiguration(
                    trustRoots: .pemFile("/p/ca.pem"), certificateChainFile: "/p/gw.pem", privateKeyFile: "/p/gw.key",
                    serverName: "inv"))
        #expect(config.services[1].tls == ClientTLSConfiguration(trustRoots: .system))
        for service in config.services {
            let again = try ServiceConfig(
                node: try ConfigNode.parse(json: Array(service.json().utf8)), path: "", name: service.name)
            #expect(again == service)
        }
        let refused: [(String, String)] = [
            ("framing: framed\n    tls: {}", "services[0].tls: TLS is offered for gRPC services over TCP only"),
            ("tls: { cert: /c.pem }", "services[0].tls: cert needs key"),
            ("tls: { ca: /c.pem, colour: red }", "services[0].tls.colour"),
        ]
        for (extra, message) in refused {
            let yaml =
                "services:\n  - name: a\n    schema: a.proto\n    service: S\n    endpoints: [h:1]\n    \(extra)\n"
            do {
                _ = try GatewayConfig(yaml: yaml)
                Issue.record("\(extra) loaded")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}

extension FleetTests {
    @Suite("Fleet: etcd over TLS with client certificates", .serialized)
    struct EtcdTLSTests {
        @Test func gatewaysShareAStoreOverTLS() async throws {
            let files = try TestCertificates()
            defer { files.remove() }
            try await EtcdCluster.with(members: 1, tls: files) { etcd in
                #expect(etcd.storeURL().hasPrefix("etcds://"))
                let invoker = FakeInvoker()
                invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
                let config = try FleetGateway.config(store: etcd.storeURL())
                let a = try await FleetGateway(config: config, invoker: invoker)
                let b = try await FleetGateway(config: config, invoker: invoker)
                try await a.waitUntilReady()
                try await b.waitUntilReady()

                let upload = try await a.request("POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true)
                #expect(upload.status == 201, "\(upload.text)")
                let put = try await a.request(
                    "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"),
                    admin: true)
                #expect(put.status == 200, "\(put.text)")
                try await a.waitFor("/v1/shelves/5") { $0.status == 200 && $0.text.contains("sea") }
                try await b.waitFor("/v1/shelves/5") { $0.status == 200 && $0.text.contains("sea") }
                // The keys really are in this etcd (read back over TLS with etcdctl).
                let stored = try await etcd.etcdctl(["get", "--keys-only", "/portico/descriptors/shop/active"])
                #expect(stored.output.contains("/portico/descriptors/shop/active"), "\(stored.output)")
                await a.stop()
                await b.stop()
            }
        }

        /// etcd is also a gRPC server over TLS like any other: a `tls:` service reaches its KV API through a
        /// gateway's generic route, with and without the client certificate etcd requires.
        @Test func aGRPCServiceWithTLSIsCalledThroughTheGateway() async throws {
            let files = try TestCertificates()
            defer { files.remove() }
            try await EtcdCluster.with(members: 1, tls: files) { etcd in
                let put = try await etcd.etcdctl(["put", "/tls-test/key", "over-tls"])
                #expect(put.status == 0, "\(put.output)")
                let port = etcd.members[0].clientPort
                func service(_ name: String, tls: String) -> String {
                    """
                      - name: \(name)
                        schema: \(Repo.descriptors)/etcd/rpc.proto
                        include: [\(Repo.descriptors)/etcd]
                        service: etcdserverpb.KV
                        framing: grpc
                        endpoints: [127.0.0.1:\(port)]
                        timeouts: { connect: 2s, rpc: 5s }
                        tls: \(tls)
                    """
                }
                let client = "cert: \(files.clientCertificate), key: \(files.clientKey)"
                let services = service("etcd", tls: "{ ca: \(files.ca), \(client) }")
                let store = files.directory + "/store"
                let gateway = try await FleetGateway(
                    config: try FleetGateway.config(store: store, services: services), invoker: GenericCallInvoker())
                try await gateway.waitUntilReady()
                let key = Data("/tls-test/key".utf8).base64EncodedString()
                let reply = try await gateway.request("POST", "/etcdserverpb.KV/Range", body: #"{"key": "\#(key)"}"#)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.text.contains(Data("over-tls".utf8).base64EncodedString()), "\(reply.text)")
                await gateway.stop()

                let anonymous = try await FleetGateway(
                    config: try FleetGateway.config(
                        store: store + "2", services: service("etcd", tls: "{ ca: \(files.ca) }")),
                    invoker: GenericCallInvoker())
                try await anonymous.waitUntilReady()
                let refused = try await anonymous.request(
                    "POST", "/etcdserverpb.KV/Range", body: #"{"key": "\#(key)"}"#)
                #expect(refused.status == 503, "\(refused.text)")
                #expect(refused.text.contains("TLS handshake"), "\(refused.text)")
                #expect(
                    refused.text.contains("the server requires a client certificate and none is configured"),
                    "\(refused.text)")
                await anonymous.stop()
            }
        }

        @Test func aWrongCAOrNoClientCertificateIsReportedAsTLS() async throws {
            let files = try TestCertificates()
            defer { files.remove() }
            try await EtcdCluster.with(members: 1, tls: files) { etcd in
                let hosts = etcd.members.map { "127.0.0.1:\($0.clientPort)" }.joined(separator: ",")
                let wrongCA = try await FleetGateway(
                    config: try FleetGateway.config(
                        store: "etcds://\(hosts)?ca=\(files.otherCA)&cert=\(files.clientCertificate)"
                            + "&key=\(files.clientKey)"),
                    invoker: FakeInvoker())
                let noCertificate = try await FleetGateway(
                    config: try FleetGateway.config(store: "etcds://\(hosts)?ca=\(files.ca)"), invoker: FakeInvoker())
                let plaintext = try await FleetGateway(
                    config: try FleetGateway.config(store: "etcd://\(hosts)"), invoker: FakeInvoker())

                try await wrongCA.waitFor("/readyz") {
                    $0.status == 503 && $0.text.contains("TLS handshake")
                        && $0.text.contains("certificate verification failed")
                }
                try await noCertificate.waitFor("/readyz") {
                    $0.status == 503 && $0.text.contains("TLS handshake")
                        && $0.text.contains("the server requires a client certificate and none is configured")
                }
                try await plaintext.waitFor("/readyz") { $0.status == 503 }
                let upload = try await wrongCA.request(
                    "POST", "/admin/descriptors/shop", body: Bundles.thrift(), admin: true)
                #expect(upload.status == 503, "\(upload.text)")
                await wrongCA.stop()
                await noCertificate.stop()
                await plaintext.stop()
            }
        }
    }
}
