import Synchronization

/// Caps the requests one route runs at once. A request over the cap is refused at once (no queue), so an
/// overloaded backend cannot make the gateway pile up waiting requests.
final class RouteConcurrencyLimiter: Sendable {
    let limit: Int?
    private let running = Mutex<[String: Int]>([:])

    init(limit: Int?) { self.limit = limit }

    /// Takes a slot for `route`; false when the route is at its limit.
    func acquire(_ route: String) -> Bool {
        guard let limit else { return true }
        return running.withLock { counts in
            let current = counts[route, default: 0]
            guard current < limit else { return false }
            counts[route] = current + 1
            return true
        }
    }

    func release(_ route: String) {
        guard limit != nil else { return }
        running.withLock { counts in
            let remaining = counts[route, default: 1] - 1
            counts[route] = remaining > 0 ? remaining : nil
        }
    }
}

/// One taken slot of a route, given back when the last reference goes: when the request's handling ends, or,
/// for a stream, when its response body (which holds a reference) has been written and dropped.
final class RouteSlot: Sendable {
    private let limiter: RouteConcurrencyLimiter
    private let route: String

    init(_ limiter: RouteConcurrencyLimiter, route: String) {
        self.limiter = limiter
        self.route = route
    }

    /// Marks a point the slot must live to.
    @inline(never)
    func hold() {}

    deinit { limiter.release(route) }
}
