/// The ids of streams a server session has forgotten, most recent `capacity` only.
///
/// A client numbers its streams upward and does not reuse ids, so data for a forgotten id is data the client
/// sent before it saw our close: it is dropped rather than taken as a new stream that nobody would ever close.
struct ForgottenStreams {
    static let capacity = 4096
    private var members: Set<UInt32> = []
    private var order: [UInt32] = []
    private var next = 0

    func contains(_ id: UInt32) -> Bool { members.contains(id) }

    mutating func insert(_ id: UInt32) {
        guard members.insert(id).inserted else { return }
        if order.count < Self.capacity {
            order.append(id)
        } else {
            members.remove(order[next])
            order[next] = id
            next = (next + 1) % Self.capacity
        }
    }
}
