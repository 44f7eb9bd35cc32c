extension EventSourceClient {
    /// Every ``Update`` of one stream, in order. Each iteration opens a stream of its own.
    public struct Updates: AsyncSequence, Sendable {
        public typealias Element = Update
        public typealias Failure = EventSourceError
        let client: EventSourceClient

        public func makeAsyncIterator() -> Iterator { Iterator(client: client) }

        /// Pulls bytes only when asked for the next update, so a slow consumer slows the connection down (TCP
        /// backpressure) instead of buffering events.
        public struct Iterator: AsyncIteratorProtocol {
            public typealias Element = Update
            public typealias Failure = EventSourceError

            enum Step {
                case connect
                case read
                case wait(Duration)
                case fail(EventSourceError)
                case done
            }

            let client: EventSourceClient
            var parser: EventSourceParser
            var step = Step.connect
            var connection: Connection?
            /// Updates made and not yet returned (one chunk can hold many events).
            var pending: [Update] = []
            var pendingIndex = 0
            /// Reconnects made so far.
            var reconnects = 0
            /// Attempts that failed in a row (reset when a response is accepted).
            var failures = 0

            init(client: EventSourceClient) {
                self.client = client
                parser = EventSourceParser(
                    maxEventSize: client.configuration.maxEventSize, lastEventID: client.configuration.lastEventID,
                    reportsComments: client.configuration.includeComments)
            }

            public mutating func next() async throws(EventSourceError) -> Update? {
                while true {
                    if pendingIndex < pending.count {
                        let update = pending[pendingIndex]
                        pendingIndex += 1
                        if pendingIndex == pending.count {
                            pending.removeAll(keepingCapacity: true)
                            pendingIndex = 0
                        }
                        return update
                    }
                    if Task.isCancelled { step = .done }
                    switch step {
                    case .connect:
                        await connect()
                    case .read:
                        await read()
                    case .wait(let delay):
                        do {
                            try await Task.sleep(for: delay)
                            step = .connect
                        } catch {
                            step = .done
                        }
                    case .fail(let error):
                        step = .done
                        connection = nil
                        throw error
                    case .done:
                        connection = nil
                        return nil
                    }
                }
            }
        }
    }
}
