import Foundation
import PorticoTestSupport
import Testing

/// `portico mock --register`: the mock registers itself in etcd as a Kitex server with registry-etcd does.
@Suite(.serialized) struct MockRegisterCommandTests {
    let cli = CodecCommandTests()

    @Test func mockRegistersWithALeaseThatEndsWithIt() async throws {
        try await EtcdCluster.with(members: 1) { etcd in
            let (mock, address) = try CallMockCommandTests().startMock([
                "--schema", CallMockCommandTests.thrift, "--service", "Bookstore", "--framing", "framed",
                "--register", etcd.storeURL(), "--register-name", "bookstore", "--weight", "30", "--ttl", "2",
            ])
            let listed = try await etcd.etcdctl(["get", "--prefix", "kitex/registry-etcd/bookstore/"]).output
            #expect(listed.contains("kitex/registry-etcd/bookstore/\(address)"), "\(listed)")
            #expect(listed.contains("\"address\":\"\(address)\"") && listed.contains("\"weight\":30"), "\(listed)")
            // Killed, it cannot revoke: the key goes when the 2 s lease runs out.
            CallMockCommandTests().stop(mock)
            let killed = ContinuousClock.now
            var gone = false
            while ContinuousClock.now - killed < .seconds(10) {
                let keys = try await etcd.etcdctl(["get", "--prefix", "--keys-only", "kitex/registry-etcd/bookstore/"]).output
                if keys.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    gone = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(gone)
        }
    }

    @Test func unreachableOrBadRegistryStopsTheMock() throws {
        for target in ["etcd://127.0.0.1:1", "etcd://nohost", "http://127.0.0.1:2379"] {
            let result = try cli.run(
                CodecCommandTests.binary,
                [
                    "mock", "--schema", CallMockCommandTests.thrift, "--service", "Bookstore", "--listen",
                    "127.0.0.1:0",
                    "--register", target,
                ])
            #expect(result.status == 1, "\(target)")
            #expect(result.stderr.contains("cannot register"), "\(target): \(result.stderr)")
        }
    }
}
