import Synchronization

/// The current ``RouteSnapshot``. Reading takes a lock only long enough to copy one reference, so requests never
/// wait for a rebuild; the rebuild happens elsewhere and ends in ``replace(_:)``.
final class RouteSnapshotHolder: Sendable {
    private let current: Mutex<RouteSnapshot>

    init(_ snapshot: RouteSnapshot) { current = Mutex(snapshot) }

    var snapshot: RouteSnapshot { current.withLock { $0 } }

    func replace(_ snapshot: RouteSnapshot) { current.withLock { $0 = snapshot } }
}
