import Testing

/// The suites that start etcd members and gateways run one at a time (and one test at a time): together they
/// would start up to six etcd processes at once and starve the timing-sensitive suites running beside them.
/// Each test has two minutes: one that hangs fails instead of holding the run.
@Suite("Fleet on etcd", .serialized, .timeLimit(.minutes(2)))
enum FleetTests {}
