import Foundation
import PorticoTestSupport

/// Polls `condition` every 50 ms until it holds; returns how long that took, or throws after `timeout` saying
/// what was awaited.
@discardableResult
func fleetWait(
    _ what: String, timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool
) async throws -> Duration {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if (try? await condition()) == true { return ContinuousClock.now - start }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw EtcdFailure(description: "timed out after \(timeout) waiting for \(what)")
}

extension EtcdCluster {
    /// Runs etcdctl until it succeeds (a write during a leader election may be refused), up to 15 s.
    @discardableResult
    func etcdctlSucceeding(_ arguments: [String], members: [Int]? = nil) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(15)
        var last = ""
        while ContinuousClock.now < deadline {
            let result = try await etcdctl(arguments, members: members)
            if result.status == 0 { return result.output }
            last = result.output
            try await Task.sleep(for: .milliseconds(100))
        }
        throw EtcdFailure(description: "etcdctl \(arguments) kept failing: \(last)")
    }

    /// The keys under `prefix`, one per element.
    func keys(_ prefix: String, members: [Int]? = nil) async throws -> [String] {
        try await etcdctlSucceeding(["get", "--prefix", "--keys-only", prefix], members: members)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
