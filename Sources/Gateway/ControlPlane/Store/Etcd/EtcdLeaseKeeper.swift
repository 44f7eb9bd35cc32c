import GenericCall
import Logging
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps one lease alive on one long-lived LeaseKeepAlive stream: a keep-alive request every third of the TTL,
/// each answered by etcd with the TTL granted again. The answer to a request must come before the next request
/// is due; a stream that fails or misses an answer is cancelled and opened on the next member, where a request
/// goes at once. An answer with TTL 0 means the lease is gone (it expired while no member could be reached):
/// a new lease is granted and the keys written again under it (`attach`).
final class EtcdLeaseKeeper: Sendable {
    let client: EtcdClient
    let ttl: Int64
    private let attach: @Sendable (Int64) async throws(GatewayError) -> Void
    private let logger: Logger
    /// The lease being kept (0: none yet).
    let lease = Atomic<Int64>(0)
    /// Answers received, over every stream: tests read it.
    let answers = Atomic<Int>(0)
    /// Streams opened.
    let streamsOpened = Atomic<Int>(0)

    /// `attach` writes the keys that live under a newly granted lease.
    init(
        client: EtcdClient, ttl: Int64, logger: Logger,
        attach: @escaping @Sendable (Int64) async throws(GatewayError) -> Void
    ) {
        self.client = client
        self.ttl = ttl
        self.logger = logger
        self.attach = attach
    }

    private var period: Duration { .seconds(ttl) / 3 }

    /// Keeps the lease alive until the task is cancelled. `initial`: a lease already granted and attached.
    func run(initial: Int64 = 0) async {
        var current = initial
        lease.store(initial, ordering: .relaxed)
        var failures = 0
        var answeredBefore = 0
        let members = client.url.endpoints.count
        while !Task.isCancelled {
            do {
                if current == 0 {
                    // A lease whose keys could not be written is not kept: it expires unused.
                    let granted = try await client.grantLease(ttl: ttl)
                    try await attach(granted)
                    current = granted
                    if lease.exchange(current, ordering: .relaxed) != 0 {
                        logger.info("etcd lease lost; registered again under a new one", metadata: ["ttl": "\(ttl)"])
                    }
                }
                let member = client.nextLeaseMember.load(ordering: .relaxed)
                answeredBefore = answers.load(ordering: .relaxed)
                try await keepAlive(current, on: member)
                current = 0
            } catch {
                if Task.isCancelled { return }
                // A stream that was answered before it failed starts the count again.
                failures = answers.load(ordering: .relaxed) > answeredBefore ? 1 : failures + 1
                client.nextLeaseMember.add(1, ordering: .relaxed)
                if EtcdClient.isTokenRefusal(error) { client.tokenRejected() }
                logger.debug(
                    "etcd keep-alive stream failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                // Every member gets a try at once; then retries are spaced out, well inside the TTL.
                if failures >= members {
                    try? await Task.sleep(for: min(period, .milliseconds(100 << min(failures - members, 3))))
                }
            }
        }
    }

    /// Keeps `id` alive on one stream to `member`. Returns when etcd says the lease is gone; throws when the
    /// stream fails, ends or misses an answer.
    private func keepAlive(_ id: Int64, on member: Int) async throws {
        let stream = try await client.openStream(.leaseKeepAlive, member: member)
        streamsOpened.add(1, ordering: .relaxed)
        defer { stream.cancel() }
        let request = try JSONEncoder().encode(Etcd.LeaseIDRequest(ID: id)).map { $0 }
        let period = self.period
        let members = client.url.endpoints.count
        let gone = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await message in stream.replies {
                    let response = try JSONDecoder().decode(Etcd.LeaseKeepAliveResponse.self, from: Data(message))
                    guard response.ID?.value == id else { continue }
                    if (response.TTL?.value ?? 0) <= 0 { return true }
                    self.answers.add(1, ordering: .relaxed)
                }
                throw GatewayError(code: "STORE_UNAVAILABLE", status: 503, "etcd ended the keep-alive stream")
            }
            group.addTask {
                while true {
                    let before = self.answers.load(ordering: .relaxed)
                    try stream.send(request)
                    try await Task.sleep(for: period)
                    guard self.answers.load(ordering: .relaxed) > before else {
                        throw GatewayError(
                            code: "STORE_UNAVAILABLE", status: 503,
                            "etcd member \(member % members) did not answer a keep-alive within "
                                + "\(period.roundedMilliseconds) ms")
                    }
                }
            }
            defer { group.cancelAll() }
            // The reader returns only when the lease is gone; the sender only throws.
            while let result = try await group.next() {
                if result { return true }
            }
            return false
        }
        if gone {
            logger.warning("etcd says the lease is gone; granting a new one", metadata: ["lease": "\(id)"])
        }
    }
}
