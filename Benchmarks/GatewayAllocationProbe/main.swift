import GatewayBenchmarkSupport

// Drives N gateway requests through the data plane (the allocation benchmark's fixture) so that heaptrack can
// say where a request's allocations come from:
//   heaptrack .build/release/GatewayAllocationProbe small 20000 && heaptrack_print heaptrack.GatewayAllocationProbe.*
// Sites that allocate once per request show up with a count of about N.
let arguments = CommandLine.arguments
let size = arguments.count > 1 ? arguments[1] : "small"
let count = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let fixture = try GatewayRequestFixture(size: size)
var total = 0
for _ in 0..<count { total &+= try fixture.exchange() }
try fixture.close()
print("\(count) \(size) requests, \(total) response bytes")
