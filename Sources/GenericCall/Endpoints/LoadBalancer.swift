import Synchronization

/// How a backend's endpoints share the calls.
public enum BalancePolicy: Sendable, Hashable {
    case roundRobin
    /// Calls with the same key go to the same endpoint while it is healthy (a ring with virtual nodes, so
    /// removing an endpoint moves only its own keys).
    case consistentHash
}

/// Passive health checking: an endpoint that fails `failureThreshold` times in a row is ejected for
/// `ejectionTime`, doubled on each new ejection up to `maxEjectionTime`. While every endpoint is ejected the
/// circuit is open: calls fail fast, except that each ejected endpoint admits one probe call per `probeInterval`
/// (half-open); a probe that succeeds returns its endpoint to service at once.
///
/// Panic threshold (as Envoy's): while fewer than `panicThreshold` of the endpoints are in service, health is
/// ignored and calls are balanced over all of them, so that a burst of failures (a backend restarting, a client
/// disconnect storm) can never turn into an outage of the whole service. 0 disables it (the circuit then opens as
/// described above).
public struct HealthPolicy: Sendable, Hashable {
    public var failureThreshold: Int
    public var ejectionTime: Duration
    public var maxEjectionTime: Duration
    public var probeInterval: Duration
    /// The fraction of endpoints (0...1) below which health is ignored; 0.5 by default.
    public var panicThreshold: Double

    public init(
        failureThreshold: Int = 5, ejectionTime: Duration = .seconds(1), maxEjectionTime: Duration = .seconds(30),
        probeInterval: Duration = .milliseconds(100), panicThreshold: Double = 0.5
    ) {
        self.failureThreshold = failureThreshold
        self.ejectionTime = ejectionTime
        self.maxEjectionTime = maxEjectionTime
        self.probeInterval = probeInterval
        self.panicThreshold = panicThreshold
    }
}

/// Picks endpoints for calls and tracks their health. Thread-safe.
final class LoadBalancer: Sendable {
    let endpoints: [Endpoint]
    let policy: BalancePolicy
    let health: HealthPolicy
    /// Virtual nodes of the hash ring: (hash, endpoint index), sorted by hash.
    private let ring: [(UInt64, Int)]
    /// Round-robin order of endpoint indices, each appearing in proportion to its weight (nil: plain rotation).
    private let schedule: [Int]?

    private struct EndpointState {
        var consecutiveFailures = 0
        var ejections = 0
        var ejectedUntil: ContinuousClock.Instant?
        /// When an ejected endpoint last admitted a probe call.
        var lastProbe: ContinuousClock.Instant?
    }

    private struct State {
        var next = 0
        var endpoints: [EndpointState]
    }

    private let state: Mutex<State>

    /// `weights`: one per endpoint (clamped to 1...1000), or empty for equal weights.
    init(endpoints: [Endpoint], policy: BalancePolicy, health: HealthPolicy, weights: [Int] = []) {
        self.endpoints = endpoints
        self.policy = policy
        self.health = health
        let weighted = weights.count == endpoints.count && Set(weights).count > 1
        let clamped = weighted ? weights.map { min(max($0, 1), 1000) } : []
        var ring: [(UInt64, Int)] = []
        if policy == .consistentHash {
            for (index, endpoint) in endpoints.enumerated() {
                // 100 ring nodes for the default Kitex weight (10).
                let replicas = weighted ? max(10, clamped[index] * 10) : 100
                for replica in 0..<replicas { ring.append((Self.hash("\(endpoint)#\(replica)"), index)) }
            }
            ring.sort { $0.0 < $1.0 }
        }
        self.ring = ring
        schedule = weighted ? Self.smoothSchedule(clamped) : nil
        state = Mutex(State(endpoints: Array(repeating: EndpointState(), count: endpoints.count)))
    }

    /// The endpoint for the next attempt, avoiding `excluded` (endpoints this call already failed on) and ejected
    /// ones when others remain; in panic (too few in service) ejections are ignored. When every endpoint is
    /// ejected and panic is disabled: a probe to an ejected endpoint (not one this call
    /// failed on) that has not admitted one within `probeInterval`, else nil.
    func pick(key: String?, excluding excluded: Set<Int>, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            var inService = 0
            for endpoint in state.endpoints where endpoint.ejectedUntil.map({ $0 <= now }) ?? true { inService += 1 }
            let panic = Double(inService) < health.panicThreshold * Double(endpoints.count)
            func usable(_ index: Int, allowExcluded: Bool) -> Bool {
                if !allowExcluded && excluded.contains(index) { return false }
                if !panic, let until = state.endpoints[index].ejectedUntil, until > now { return false }
                return true
            }
            for allowExcluded in [false, true] {
                if policy == .consistentHash, let key, !ring.isEmpty {
                    let hash = Self.hash(key)
                    var low = 0
                    var high = ring.count
                    while low < high {
                        let middle = (low + high) / 2
                        if ring[middle].0 < hash { low = middle + 1 } else { high = middle }
                    }
                    for step in 0..<ring.count {
                        let index = ring[(low + step) % ring.count].1
                        if usable(index, allowExcluded: allowExcluded) { return index }
                    }
                } else if let schedule {
                    for _ in 0..<schedule.count {
                        let index = schedule[state.next % schedule.count]
                        state.next &+= 1
                        if usable(index, allowExcluded: allowExcluded) { return index }
                    }
                } else {
                    for _ in 0..<endpoints.count {
                        let index = state.next % endpoints.count
                        state.next &+= 1
                        if usable(index, allowExcluded: allowExcluded) { return index }
                    }
                }
            }
            // Half-open: the ejected endpoint that comes back soonest and may take a probe now.
            var probe: Int?
            for index in endpoints.indices where !excluded.contains(index) {
                let endpoint = state.endpoints[index]
                if let last = endpoint.lastProbe, now - last < health.probeInterval { continue }
                if let chosen = probe,
                    (state.endpoints[chosen].ejectedUntil ?? now) <= (endpoint.ejectedUntil ?? now)
                {
                    continue
                }
                probe = index
            }
            if let probe { state.endpoints[probe].lastProbe = now }
            return probe
        }
    }

    func recordSuccess(_ index: Int) {
        state.withLock { state in
            state.endpoints[index].consecutiveFailures = 0
            state.endpoints[index].ejections = 0
            state.endpoints[index].ejectedUntil = nil  // it answered: back in service
        }
    }

    /// Counts a connection-level failure; returns true when it ejected the endpoint.
    @discardableResult
    func recordFailure(_ index: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            state.endpoints[index].consecutiveFailures += 1
            guard state.endpoints[index].consecutiveFailures >= health.failureThreshold else { return false }
            let ejections = min(state.endpoints[index].ejections, 16)
            let time = min(health.ejectionTime * (1 << ejections), health.maxEjectionTime)
            state.endpoints[index].ejectedUntil = now + time
            state.endpoints[index].ejections += 1
            state.endpoints[index].consecutiveFailures = 0
            return true
        }
    }

    func isEjected(_ index: Int, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            if let until = state.endpoints[index].ejectedUntil { return until > now }
            return false
        }
    }

    /// One period of smooth weighted round-robin (as nginx's): each step every endpoint gains its weight, the
    /// richest is picked and pays the total. Heavier endpoints come up more often without bursts. The period
    /// is the sum of the weights divided by their greatest common divisor.
    static func smoothSchedule(_ weights: [Int]) -> [Int] {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let divisor = weights.reduce(0, gcd)
        let reduced = weights.map { $0 / max(divisor, 1) }
        let total = reduced.reduce(0, +)
        var current = Array(repeating: 0, count: reduced.count)
        var order: [Int] = []
        order.reserveCapacity(total)
        for _ in 0..<total {
            var best = 0
            for index in reduced.indices {
                current[index] += reduced[index]
                if current[index] > current[best] { best = index }
            }
            current[best] -= total
            order.append(best)
        }
        return order
    }

    /// FNV-1a, 64 bits, then a final mix so nearby keys spread over the ring.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
