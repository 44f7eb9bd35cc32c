import ArgumentParser
import DynamicCodec
import Foundation
import GenericCall

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `portico bench`: a closed-loop load of one method (like `yab --benchmark` or `ghz`), with calls per second,
/// latency percentiles and the client's CPU time per call.
///
/// The request is encoded from JSON once, before the run; every call then sends those bytes through one shared
/// ``RPCClient`` and receives the reply bytes without rendering them as JSON, so the figures measure framing,
/// transport, pooling and the call path, not the JSON codec.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load one method with N concurrent callers in a closed loop and report calls/s and latency.",
        discussion: """
            Takes the options of `portico call`, plus the shape of the load. Example:
              portico bench --schema Descriptors/baseline.thrift --method BaselineService.SimpleMethod \\
                --target framed://127.0.0.1:9090 --data - --concurrency 64 --duration 10s --json < simple.json
            The request JSON is encoded once; each call sends the same bytes and does not decode the reply.
            Exit status 1 when no call succeeded.
            """
    )

    @OptionGroup var call: CallArguments

    @Option(help: "Concurrent callers, each calling again as soon as its reply arrives.")
    var concurrency: Int = 1

    @Option(help: "How long to measure, e.g. 10s.")
    var duration: String = "10s"

    @Option(help: "How long to call before measuring (not counted), e.g. 1s; 0s for none.")
    var warmup: String = "1s"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        let report: BenchReport
        do throws(CallError) {
            report = try await perform()
        } catch {
            writeStandardOutput(Array((error.json() + "\n").utf8))
            throw ExitCode(1)
        }
        writeStandardOutput(Array((json ? report.json() : report.text()).utf8))
        if report.calls == 0 { throw ExitCode(1) }
    }

    func perform() async throws(CallError) -> BenchReport {
        guard concurrency >= 1 else { throw CallError(.invalidArgument, "--concurrency must be at least 1") }
        guard let measured = DurationText.parse(duration), measured > .zero else {
            throw CallError(.invalidArgument, "--duration \(duration) is not a positive duration like 10s")
        }
        guard let warm = DurationText.parse(warmup) else {
            throw CallError(.invalidArgument, "--warmup \(warmup) is not a duration like 1s")
        }
        let callers = concurrency
        // Each caller holds a connection of its own on the exclusive framings (as N synchronous clients would).
        let prepared = try call.prepare { configuration in
            configuration.maxConnectionsPerEndpoint = max(configuration.maxConnectionsPerEndpoint, callers)
        }
        let client = prepared.client
        let request = try prepared.caller.request(method: prepared.method, json: prepared.json, headers: prepared.headers)
        guard !request.isOneway else { throw CallError(.invalidArgument, "bench calls methods with replies, not oneway") }

        // One call first, so connection set-up is not in the figures and the reply size can be shown.
        let probe: Result<RPCReply, CallError>
        do throws(CallError) {
            probe = .success(try await client.call(request))
        } catch {
            probe = .failure(error)
        }
        if warm > .zero { _ = await Self.load(client: client, request: request, callers: callers, for: warm) }
        let cpuBefore = ProcessCPU.now()
        let start = ContinuousClock.now
        let results = await Self.load(client: client, request: request, callers: callers, for: measured)
        let elapsed = ContinuousClock.now - start
        let cpuAfter = ProcessCPU.now()
        await client.shutdown()

        var histogram = LatencyHistogram()
        var errors: [String: Int] = [:]
        var firstError: [String: String] = [:]
        for result in results {
            histogram.merge(result.histogram)
            for (code, entry) in result.errors {
                errors[code, default: 0] += entry.count
                if firstError[code] == nil { firstError[code] = entry.message }
            }
        }
        let total = histogram.count + UInt64(errors.values.reduce(0, +))
        return BenchReport(
            target: call.target, method: call.method, concurrency: callers, duration: Self.seconds(elapsed),
            calls: histogram.count, errors: errors, errorMessages: firstError, histogram: histogram,
            cpuSeconds: cpuAfter - cpuBefore, completed: total, requestBytes: request.payload.count,
            replyBytes: (try? probe.get())?.payload.count)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Runs `callers` closed loops for `duration`: each calls, records the latency of a success (or counts the
    /// error by code), and calls again; results are kept per caller and merged afterwards, so the loop shares
    /// nothing but the client.
    static func load(client: RPCClient, request: RPCRequest, callers: Int, for duration: Duration) async
        -> [CallerResult]
    {
        let end = ContinuousClock.now + duration
        return await withTaskGroup(of: CallerResult.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    var result = CallerResult()
                    let clock = ContinuousClock()
                    var now = clock.now
                    while now < end {
                        let started = now
                        do throws(CallError) {
                            _ = try await client.call(request)
                            now = clock.now
                            result.histogram.record(now - started)
                        } catch {
                            now = clock.now
                            result.fail(error)
                        }
                    }
                    return result
                }
            }
            var results: [CallerResult] = []
            results.reserveCapacity(callers)
            for await result in group { results.append(result) }
            return results
        }
    }
}

/// What one caller saw.
struct CallerResult: Sendable {
    var histogram = LatencyHistogram()
    var errors: [String: (count: Int, message: String)] = [:]

    mutating func fail(_ error: CallError) {
        let name = error.code.name
        if let entry = errors[name] {
            errors[name] = (entry.count + 1, entry.message)
        } else {
            errors[name] = (1, error.message)
        }
    }
}

/// Latencies in a log-linear histogram: exact below 128 ns, then 128 buckets per power of two (relative error
/// below 0.8 %), up to 2^41 ns (about 37 minutes). Fixed size, allocated once, so recording never allocates.
struct LatencyHistogram: Sendable {
    static let subBits = 7
    static let subCount = 1 << subBits
    static let maxExponent = 40
    static let bucketCount = (maxExponent - subBits + 2) * subCount

    var buckets = [UInt64](repeating: 0, count: bucketCount)
    var count: UInt64 = 0
    var maxNanoseconds: UInt64 = 0
    var sumNanoseconds: UInt64 = 0

    static func index(_ nanoseconds: UInt64) -> Int {
        if nanoseconds < UInt64(subCount) { return Int(nanoseconds) }
        let exponent = min(63 - nanoseconds.leadingZeroBitCount, maxExponent)
        let sub = Int(truncatingIfNeeded: nanoseconds >> UInt64(exponent - subBits)) & (subCount - 1)
        return (exponent - subBits + 1) * subCount + sub
    }

    /// The middle of bucket `index`, in nanoseconds.
    static func value(_ index: Int) -> Double {
        if index < subCount { return Double(index) }
        let exponent = index / subCount + subBits - 1
        let sub = index % subCount
        let width = Double(UInt64(1) << UInt64(exponent - subBits))
        return Double(subCount + sub) * width + width / 2
    }

    mutating func record(_ latency: Duration) {
        let (seconds, attoseconds) = latency.components
        let nanoseconds = UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds / 1_000_000_000))
        buckets[Self.index(nanoseconds)] &+= 1
        count &+= 1
        sumNanoseconds &+= nanoseconds
        if nanoseconds > maxNanoseconds { maxNanoseconds = nanoseconds }
    }

    mutating func merge(_ other: LatencyHistogram) {
        for index in 0..<Self.bucketCount { buckets[index] &+= other.buckets[index] }
        count &+= other.count
        sumNanoseconds &+= other.sumNanoseconds
        maxNanoseconds = max(maxNanoseconds, other.maxNanoseconds)
    }

    /// The latency at quantile `q` (0...1) in nanoseconds: the value of the bucket holding the ⌈q·count⌉-th
    /// smallest latency, never above the maximum.
    func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((q * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += buckets[index]
            if seen >= rank { return min(Self.value(index), Double(maxNanoseconds)) }
        }
        return Double(maxNanoseconds)
    }
}

/// User plus system CPU time of this process, in seconds.
enum ProcessCPU {
    static func now() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// The figures of one run, as text or JSON.
struct BenchReport {
    var target: String
    var method: String
    var concurrency: Int
    /// Measured seconds (from the start of the measured phase until every caller stopped).
    var duration: Double
    /// Successful calls.
    var calls: UInt64
    var errors: [String: Int]
    var errorMessages: [String: String]
    var histogram: LatencyHistogram
    var cpuSeconds: Double
    /// Calls that finished, successful or not (the CPU time is divided by this).
    var completed: UInt64
    var requestBytes: Int
    var replyBytes: Int?

    var callsPerSecond: Double { duration > 0 ? Double(calls) / duration : 0 }
    var cpuMicrosecondsPerCall: Double { completed > 0 ? cpuSeconds * 1e6 / Double(completed) : 0 }
    func microseconds(_ q: Double) -> Double { histogram.quantile(q) / 1000 }
    var maxMicroseconds: Double { Double(histogram.maxNanoseconds) / 1000 }

    static func number(_ value: Double, _ digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }

    func text() -> String {
        var lines = [
            "portico bench \(method) -> \(target)",
            "callers \(concurrency), measured \(Self.number(duration, 2)) s, request \(requestBytes) B"
                + (replyBytes.map { ", reply \($0) B" } ?? ""),
            "calls \(calls) (\(Self.number(callsPerSecond)) calls/s), errors \(errors.values.reduce(0, +))",
        ]
        for (code, count) in errors.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(code): \(count) (\(errorMessages[code] ?? ""))")
        }
        lines.append(
            "latency us: p50 \(Self.number(microseconds(0.5))) p90 \(Self.number(microseconds(0.9))) "
                + "p99 \(Self.number(microseconds(0.99))) max \(Self.number(maxMicroseconds))")
        lines.append("client cpu: \(Self.number(cpuMicrosecondsPerCall, 2)) us/call (\(Self.number(cpuSeconds, 3)) s user+sys)")
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        out += String(format: "\\u%04x", scalar.value)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        let errorList = errors.sorted { $0.key < $1.key }
        let errorCounts = errorList.map { "\(quoted($0.key)):\($0.value)" }.joined(separator: ",")
        let messages = errorList.map { "\(quoted($0.key)):\(quoted(errorMessages[$0.key] ?? ""))" }
            .joined(separator: ",")
        var fields = [
            "\"client\":\"portico\"",
            "\"target\":\(quoted(target))",
            "\"method\":\(quoted(method))",
            "\"concurrency\":\(concurrency)",
            "\"duration_s\":\(Self.number(duration, 3))",
            "\"calls\":\(calls)",
            "\"errors\":{\(errorCounts)}",
            "\"error_messages\":{\(messages)}",
            "\"calls_per_second\":\(Self.number(callsPerSecond))",
            "\"latency_us\":{\"p50\":\(Self.number(microseconds(0.5))),\"p90\":\(Self.number(microseconds(0.9))),"
                + "\"p99\":\(Self.number(microseconds(0.99))),\"max\":\(Self.number(maxMicroseconds))}",
            "\"cpu_s\":\(Self.number(cpuSeconds, 3))",
            "\"cpu_us_per_call\":\(Self.number(cpuMicrosecondsPerCall, 2))",
            "\"request_bytes\":\(requestBytes)",
        ]
        if let replyBytes { fields.append("\"reply_bytes\":\(replyBytes)") }
        return "{" + fields.joined(separator: ",") + "}\n"
    }
}
