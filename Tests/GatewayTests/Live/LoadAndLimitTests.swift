import Foundation
import GenericCall
import Synchronization
import Testing

@testable import Gateway

@Suite("Live: swaps under load and limits")
struct LoadAndLimitTests {
    @Test func uploadsUnderLoadFailNoRequest() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: #"{"success": {"id": "5", "theme": "sea"}}"#)
        try await GatewayFixture.with(try Fixtures.config(services: "  []"), invoker: invoker) { gateway in
            #expect(try await gateway.admin("POST", "/admin/descriptors/shop", body: Bundles.thrift()).status == 201)
            let put = try await gateway.admin(
                "PUT", "/admin/services/shop", body: Bundles.service(registry: "shop", service: "Bookstore"))
            #expect(put.status == 200)
            let stop = Shared(false)
            let failures = Shared<[String]>([])
            let served = Shared(0)
            let generations = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let request = TestHTTPClient.encode("GET", "/v1/shelves/5")
                        while !stop.value {
                            // Keep-alive batches of 10 requests per connection.
                            let responses = try await TestHTTPClient.exchange(
                                port: gateway.port, Array(repeating: request, count: 10))
                            if responses.count != 10 { failures.update { $0.append("short batch") } }
                            for response in responses where response.status != 200 {
                                failures.update { $0.append("\(response.status) \(response.text)") }
                            }
                            served.update { $0 += responses.count }
                        }
                        return 0
                    }
                }
                group.addTask {
                    for version in 2...6 {
                        try await Task.sleep(for: .milliseconds(150))
                        let upload = try await gateway.admin("POST", "/admin/descriptors/shop", body: Bundles.thrift())
                        if upload.status != 201 { failures.update { $0.append("upload v\(version): \(upload.text)") } }
                    }
                    try await Task.sleep(for: .milliseconds(150))
                    stop.update { $0 = true }
                    return gateway.server.routes.generation
                }
                var generation = 0
                for try await value in group { generation = max(generation, value) }
                return generation
            }
            #expect(failures.value.isEmpty, "\(failures.value.prefix(5))")
            #expect(served.value > 100)
            #expect(generations >= 7)
            let detail = try await gateway.admin("GET", "/admin/descriptors/shop")
            #expect(detail.text.contains("\"active_version\":6"))
        }
    }

    @Test func concurrencyLimitRejectsFastWithoutQueueing() async throws {
        let invoker = FakeInvoker()
        let release = Shared(false)
        invoker.on("GetShelf") { call throws(CallError) in
            // Held until the test has seen the rejections: they cannot have waited for a slot.
            while !release.value, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            return try FakeInvoker.encodeReply(call, json: "{}")
        }
        let config = try Fixtures.config(services: Fixtures.protoService, extra: "limits: { max_concurrent: 2 }\n")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await gateway.request("GET", "/v1/shelves/1").status }
                }
                var statuses: [Int] = []
                for try await status in group {
                    statuses.append(status)
                    if statuses.count == 4 {
                        // Other routes are not limited by this one.
                        invoker.reply("ListShelves", json: "{}")
                        #expect(try await gateway.request("GET", "/v1/shelves").status == 200)
                        release.update { $0 = true }
                    }
                }
                return statuses
            }
            #expect(Array(statuses.prefix(4)) == [429, 429, 429, 429])
            #expect(Array(statuses.suffix(2)) == [200, 200])
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(metrics.text.contains("portico_rejected_total{limit=\"concurrency\"} 4"))
        }
    }

    @Test func aStreamHoldsItsSlotUntilItEnds() async throws {
        let invoker = FakeInvoker()
        let release = Shared(false)
        invoker.onStream("WatchShelf") { call, continuation in
            continuation.yield(try! FakeInvoker.encodeReply(call, json: #"{"sequence": "1"}"#))
            // Held until released whatever happens to this task (a cancelled task's Task.sleep returns at once and
            // would spin, starving the pool the test runs on).
            while !release.value {
                await withCheckedContinuation { resume in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(5)) { resume.resume() }
                }
            }
            continuation.finish()
        }
        // The stream must outlive the test's steps even on a loaded machine: with the fixture's 2 s RPC timeout the
        // first stream could end by its deadline, free the slot, and let the second in to wait for a release that
        // only comes after it.
        let config = try Fixtures.config(
            services: Fixtures.protoService.replacingOccurrences(of: "rpc: 2s", with: "rpc: 60s"),
            extra: "limits: { max_concurrent: 1 }\n")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            async let first = gateway.request("GET", "/v1/shelves/1:watch")
            while invoker.callCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(100))
            // The first stream has sent its first message and is still open: the route is full.
            let second = try await gateway.request("GET", "/v1/shelves/1:watch")
            #expect(second.status == 429)
            release.update { $0 = true }
            #expect(try await first.status == 200)
            // Once it has ended, the slot is free again.
            var third = 0
            for _ in 0..<50 {
                third = try await gateway.request("GET", "/v1/shelves/1:watch").status
                if third == 200 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(third == 200)
        }
    }

    @Test func headerLimit() async throws {
        let invoker = FakeInvoker()
        invoker.reply("GetShelf", json: "{}")
        let config = try Fixtures.config(services: Fixtures.protoService, extra: "limits: { max_header: 1KiB }\n")
        try await GatewayFixture.with(config, invoker: invoker) { gateway in
            let big = try await gateway.request(
                "GET", "/v1/shelves/1", headers: [("X-Big", String(repeating: "a", count: 2000))])
            #expect(big.status == 431)
            #expect(big.errorCode == "HEADERS_TOO_LARGE")
            #expect(try await gateway.request("GET", "/v1/shelves/1").status == 200)
        }
    }
}
