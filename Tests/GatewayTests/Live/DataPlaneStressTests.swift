import Foundation
import GenericCall
import PorticoTestSupport
import Testing

@testable import Gateway

/// The event-loop data plane under concurrent load against a server someone else wrote (Apache Thrift, threaded,
/// framed binary): every reply is computed from its own request, so a reply handed to the wrong call would show.
/// Clients that leave mid-call run alongside; afterwards the gateway still answers every request.
@Suite("Live: data plane under load", .serialized)
struct DataPlaneStressTests {
    @Test("many connections, many requests each, clients leaving mid-call: every reply is its own")
    func concurrentRequestsKeepTheirReplies() async throws {
        let generated = try ThriftGenerated.directory.get()
        try await RealPeerTests.withGateway(
            peer: [
                "python3", Repo.peers + "/thrift_rpc_server.py", "--gen", generated, "--transport", "framed",
                "--protocol", "binary",
            ],
            service: RealPeerTests.thriftService(framing: "framed", encoding: "binary")
        ) { gateway in
            let connections = 16
            let perConnection = 40
            let problems = Shared<[String]>([])
            let answered = Shared<Int>(0)
            let port = gateway.port
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<connections {
                    group.addTask {
                        let requests = (0..<perConnection).map { index in
                            TestHTTPClient.encode(
                                "POST", "/BookstoreAdmin/Reindex", headers: [("Content-Type", "application/json")],
                                body: Array(#"{"shelf": \#(connection * 1000 + index)}"#.utf8))
                        }
                        let responses = try await TestHTTPClient.exchange(
                            port: port, requests, timeout: .seconds(60))
                        if responses.count != perConnection {
                            problems.update { $0.append("connection \(connection): \(responses.count) replies") }
                        }
                        for (index, response) in responses.enumerated() {
                            let expected = String(2 * (connection * 1000 + index))
                            if response.status != 200 || response.text != expected {
                                problems.update {
                                    $0.append("c\(connection)#\(index): \(response.status) \(response.text.prefix(120))")
                                }
                            } else {
                                answered.update { $0 += 1 }
                            }
                        }
                    }
                }
                // Clients that send a request and leave before the reply: their calls are cancelled on the loop.
                for leaver in 0..<24 {
                    group.addTask {
                        let request = TestHTTPClient.encode(
                            "POST", "/BookstoreAdmin/Reindex", headers: [("Content-Type", "application/json")],
                            body: Array(#"{"shelf": \#(leaver)}"#.utf8))
                        try await TestHTTPClient.abandon(
                            port: port, request, after: .microseconds(200 * (leaver % 8)))
                    }
                }
                try await group.waitForAll()
            }
            #expect(problems.value.isEmpty, "\(problems.value.prefix(8))")
            #expect(answered.value == connections * perConnection)
            // The pools are healthy afterwards: a fresh round on new connections is answered in full.
            for shelf in 1...20 {
                let response = try await gateway.request(
                    "POST", "/BookstoreAdmin/Reindex", headers: [("Content-Type", "application/json")],
                    body: #"{"shelf": \#(shelf)}"#)
                #expect(response.status == 200 && response.text == String(2 * shelf), "\(response.text)")
            }
        }
    }
}
