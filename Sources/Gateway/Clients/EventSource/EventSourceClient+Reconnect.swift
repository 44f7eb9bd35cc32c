extension EventSourceClient {
    /// How long to wait before a reconnect: the reconnection time (the server's `retry:` or the configured one)
    /// after a stream that was open, doubled for each further consecutive failure up to `cap`, with jitter so many
    /// clients that lost one server do not come back in step.
    ///
    /// - Parameters:
    ///   - failures: consecutive failed attempts so far; 0 when the last connection opened and then ended.
    ///   - base: the reconnection time.
    ///   - cap: the longest wait (raised to `base` when lower).
    ///   - random: a value in 0...1 that picks the jitter.
    /// - Returns: `base` for up to one failure; after that a value between half and all of the doubled time.
    public static func reconnectDelay(failures: Int, base: Duration, cap: Duration, random: Double) -> Duration {
        let baseMilliseconds = milliseconds(base)
        guard failures > 1 else { return base }
        let limit = max(milliseconds(cap), baseMilliseconds)
        // Failing again and again at once would spin: from the second failure on, at least 100 ms.
        var doubled = max(baseMilliseconds, 100)
        for _ in 1..<failures where doubled < limit {
            doubled = min(limit, doubled * 2)
        }
        let jittered = Int64((Double(doubled) * (0.5 + 0.5 * min(max(random, 0), 1))).rounded())
        return .milliseconds(max(min(baseMilliseconds, 100), baseMilliseconds, jittered))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

extension EventSourceClient.Updates.Iterator {
    /// The reconnection time in force: the server's last `retry:`, else the configured one.
    var reconnectionTime: Duration {
        parser.reconnectionTime.map { .milliseconds($0) } ?? client.configuration.reconnectionTime
    }

    /// Closes the current connection and plans the next attempt, or ends the stream when the reconnects are used
    /// up: quietly after a stream the server ended, with ``EventSourceError/Code/connectionFailed`` after a failure.
    mutating func scheduleReconnect(reason: String, failed: Bool) {
        connection = nil
        parser.finish()
        if failed { failures += 1 }
        let configuration = client.configuration
        if let limit = configuration.maxReconnects, reconnects >= limit {
            step =
                failed
                ? .fail(
                    EventSourceError(
                        .connectionFailed,
                        "\(configuration.url): \(reason); gave up after \(reconnects) reconnect"
                            + (reconnects == 1 ? "" : "s") + " (maxReconnects \(limit))",
                        details: ["url": configuration.url, "reconnects": String(reconnects)]))
                : .done
            return
        }
        reconnects += 1
        let delay = EventSourceClient.reconnectDelay(
            failures: failures, base: reconnectionTime, cap: configuration.maxReconnectionDelay,
            random: Double.random(in: 0...1))
        pending.append(.reconnecting(reconnect: reconnects, delay: delay, reason: reason))
        step = .wait(delay)
    }
}
