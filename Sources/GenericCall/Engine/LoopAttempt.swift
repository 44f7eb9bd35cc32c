import NIOCore

/// One attempt of a ``LoopCall`` on one endpoint. On the default TCP transport and for gRPC it runs on the call's
/// event loop through that loop's connection pool; other transports (ShmIPC, test doubles) run as a task whose
/// outcome hops back to the loop. Either way it reports to the call exactly once, unless abandoned.
final class LoopAttempt: @unchecked Sendable {
    /// Strong: an abandoned attempt may still hear back (a task, a late lease) after the call finished.
    let call: LoopCall
    let index: Int
    let endpoint: Endpoint
    /// The call's request, with this attempt's trace context in its headers when the call is traced.
    let request: RPCRequest
    var span: AttemptSpan
    private var abandoned = false
    private var connection: FramedConnection?
    private var sequenceID: Int32 = 0
    private var waiterID: Int?
    private var task: Task<Void, Never>?
    private var grpcCall: GRPCCallHandle?

    init(call: LoopCall, index: Int, endpoint: Endpoint, request: RPCRequest, span: AttemptSpan) {
        self.call = call
        self.index = index
        self.endpoint = endpoint
        self.request = request
        self.span = span
    }

    private var client: RPCClient { call.client }
    private var pool: LoopEndpointPool? { call.loopClient.pools.isEmpty ? nil : call.loopClient.pools[index] }

    func run(remaining: Duration?) {
        if client.configuration.framing == .grpc {
            runGRPCOnLoop(pool: call.loopClient.grpcPools[index], remaining: remaining)
        } else if let pool {
            runOnLoop(pool: pool, remaining: remaining)
        } else {
            runBridged(remaining: remaining)
        }
    }

    /// Stops caring about the outcome: the reply slot is forgotten, a leased connection (which may still get the
    /// reply) is closed rather than reused, a task is cancelled.
    func abandon() {
        guard !abandoned else { return }
        abandoned = true
        span.abandoned()
        if let waiterID { pool?.cancelWaiter(waiterID) }
        if let connection {
            connection.forget(sequenceID)
            if let pool {
                if pool.multiplexed {
                    pool.callEnded()
                } else {
                    pool.release(connection, reusable: false)
                }
            }
            self.connection = nil
        }
        task?.cancel()
        grpcCall?.cancel()
        grpcCall = nil
    }

    // MARK: On the loop

    private func runOnLoop(pool: LoopEndpointPool, remaining: Duration?) {
        waiterID = pool.acquire { [self] result in
            waiterID = nil
            switch result {
            case .failure(let error):
                guard !abandoned else { return }
                call.attemptFailed(self, error, requestSent: false)
            case .success(let connection):
                guard !abandoned else {
                    if !pool.multiplexed { pool.release(connection, reusable: true) }
                    return
                }
                send(on: connection, pool: pool, remaining: remaining)
            }
        }
    }

    private func send(on connection: FramedConnection, pool: LoopEndpointPool, remaining: Duration?) {
        self.connection = connection
        sequenceID = client.nextSequenceID()
        let envelope = client.envelope(
            request, sequenceID: sequenceID, remaining: remaining, options: call.options)
        var frame = connection.channel.allocator.buffer(capacity: 0)
        do throws(FramingError) {
            try client.configuration.codec.encode(envelope, into: &frame)
        } catch {
            self.connection = nil
            if pool.multiplexed { pool.callEnded() } else { pool.release(connection, reusable: true) }
            call.attemptFailed(self, RPCClient.unencodable(error), requestSent: false)
            return
        }
        if request.isOneway {
            connection.send(frame, sequenceID: sequenceID, reply: nil)
            self.connection = nil
            if !pool.multiplexed { pool.release(connection, reusable: true) }
            call.attemptSucceeded(self, RPCReply(payload: [], endpoint: endpoint))
            return
        }
        connection.send(frame, sequenceID: sequenceID) { [self] result in
            self.connection = nil
            if pool.multiplexed {
                pool.callEnded()
            } else {
                pool.release(connection, reusable: (try? result.get()) != nil)
            }
            guard !abandoned else { return }
            switch result {
            case .success(let envelope):
                do throws(CallError) {
                    call.attemptSucceeded(self, try client.interpret(envelope, request: request, endpoint: endpoint))
                } catch {
                    call.attemptFailed(self, error, requestSent: true)
                }
            case .failure(let error):
                call.attemptFailed(self, error, requestSent: true)
            }
        }
    }

    // MARK: gRPC on the loop

    private func runGRPCOnLoop(pool: LoopGRPCPool, remaining: Duration?) {
        pool.acquire { [self] result in
            guard !abandoned else { return }
            switch result {
            case .failure(let error):
                call.attemptFailed(self, error, requestSent: false)
            case .success(let connection):
                let request = request
                var metadata = request.headers.map { RPCHeader($0.name.lowercased(), $0.value) }
                if let requestID = call.options.requestID { metadata.append(RPCHeader("x-request-id", requestID)) }
                let message = ByteBuffer(bytes: request.payload)
                grpcCall = connection.startCall(
                    path: "/\(request.service)/\(request.method)", metadata: metadata, timeout: remaining,
                    message: message, observer: GRPCUnaryObserver(attempt: self))
            }
        }
    }

    /// The end of a gRPC call started on the loop.
    func grpcFinished(_ result: Result<RPCReply, GRPCCallFailure>) {
        grpcCall = nil
        guard !abandoned else { return }
        switch result {
        case .success(let reply): call.attemptSucceeded(self, reply)
        case .failure(let failure): call.attemptFailed(self, failure.error, requestSent: failure.requestSent)
        }
    }

    // MARK: As a task

    private func report(_ result: Result<RPCReply, AttemptFailure>) {
        call.eventLoop.execute { [self] in
            guard !abandoned else { return }
            switch result {
            case .success(let reply): call.attemptSucceeded(self, reply)
            case .failure(let failure): call.attemptFailed(self, failure.error, requestSent: failure.requestSent)
            }
        }
    }

    private func runBridged(remaining: Duration?) {
        let pool = client.pools[index]
        let client = self.client
        let request = request
        let options = call.options
        let endpoint = self.endpoint
        task = Task { [self] in
            report(await Self.bridgedAttempt(client: client, pool: pool, request: request, options: options,
                                             remaining: remaining, endpoint: endpoint))
        }
    }

    private static func bridgedAttempt(
        client: RPCClient, pool: ConnectionPool, request: RPCRequest, options: CallOptions, remaining: Duration?,
        endpoint: Endpoint
    ) async -> Result<RPCReply, AttemptFailure> {
        let connection: any RPCConnection
        do {
            connection = try await pool.acquire(connectTimeout: client.configuration.connectTimeout)
        } catch {
            return .failure(AttemptFailure(error: error, requestSent: false, endpoint: endpoint))
        }
        let sequenceID = client.nextSequenceID()
        let frame: [UInt8]
        do throws(FramingError) {
            frame = try client.configuration.codec.encode(
                client.envelope(request, sequenceID: sequenceID, remaining: remaining, options: options))
        } catch {
            pool.release(connection, reusable: true)
            return .failure(AttemptFailure(error: RPCClient.unencodable(error), requestSent: false, endpoint: endpoint))
        }
        if request.isOneway {
            do {
                try await connection.send(frame)
                pool.release(connection, reusable: true)
                return .success(RPCReply(payload: [], endpoint: endpoint))
            } catch {
                pool.release(connection, reusable: false)
                return .failure(AttemptFailure(error: error, requestSent: true, endpoint: endpoint))
            }
        }
        let reply: WireEnvelope
        do {
            reply = try await connection.roundTrip(frame, sequenceID: sequenceID)
        } catch {
            pool.release(connection, reusable: false)
            return .failure(AttemptFailure(error: error, requestSent: true, endpoint: endpoint))
        }
        pool.release(connection, reusable: true)
        do {
            return .success(try client.interpret(reply, request: request, endpoint: endpoint))
        } catch {
            return .failure(AttemptFailure(error: error, requestSent: true, endpoint: endpoint))
        }
    }
}
