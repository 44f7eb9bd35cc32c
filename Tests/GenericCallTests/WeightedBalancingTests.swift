import Testing

@testable import GenericCall

@Suite("Weighted balancing")
struct WeightedBalancingTests {
    @Test func smoothScheduleFollowsTheWeights() {
        #expect(LoadBalancer.smoothSchedule([30, 10]) == [0, 0, 1, 0])
        let order = LoadBalancer.smoothSchedule([5, 1, 1])
        #expect(order.count == 7)
        #expect(order.filter { $0 == 0 }.count == 5)
        // Interleaved, not in a burst: the heavy endpoint never runs more than 3 in a row here.
        #expect(order == [0, 0, 1, 0, 2, 0, 0])
    }

    @Test func roundRobinPicksInProportion() {
        let endpoints: [Endpoint] = [.tcp(host: "a", port: 1), .tcp(host: "b", port: 1)]
        let balancer = LoadBalancer(
            endpoints: endpoints, policy: .roundRobin, health: HealthPolicy(), weights: [3, 1])
        var counts = [0, 0]
        for _ in 0..<400 { counts[balancer.pick(key: nil, excluding: [])!] += 1 }
        #expect(counts == [300, 100])
        let equal = LoadBalancer(endpoints: endpoints, policy: .roundRobin, health: HealthPolicy(), weights: [7, 7])
        var equalCounts = [0, 0]
        for _ in 0..<10 { equalCounts[equal.pick(key: nil, excluding: [])!] += 1 }
        #expect(equalCounts == [5, 5])
    }
}
