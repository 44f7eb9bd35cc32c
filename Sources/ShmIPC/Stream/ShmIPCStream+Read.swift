/// Reading: bytes are copied (or shown in place) from the received slices, which are returned to the
/// shared free lists as soon as they are consumed.
extension ShmIPCStream {
    private enum Step {
        case progressed
        case wouldBlock
        case endOfStream
        case failed(ShmIPCError)
    }

    // MARK: async API

    /// Reads at least one and at most `maximumCount` bytes; nil at end-of-stream. Throws the session's
    /// error (for example `SHMIPC_PEER_GONE`) when the stream ended abnormally.
    public func read(maximumCount: Int = 64 * 1024) async throws(ShmIPCError) -> [UInt8]? {
        var bytes: [UInt8] = []
        while true {
            switch readStep(into: &bytes, limit: maximumCount, wholeChunk: false) {
            case .progressed: return bytes
            case .endOfStream: return nil
            case .failed(let error): throw error
            case .wouldBlock: try await waitUntilReadable()
            }
        }
    }

    /// Reads the bytes of the next flush the peer made (bounded by `maximumCount`); nil at end-of-stream.
    public func readChunk(maximumCount: Int = Int.max) async throws(ShmIPCError) -> [UInt8]? {
        var bytes: [UInt8] = []
        while true {
            switch readStep(into: &bytes, limit: maximumCount, wholeChunk: true) {
            case .progressed: return bytes
            case .endOfStream: return nil
            case .failed(let error): throw error
            case .wouldBlock: try await waitUntilReadable()
            }
        }
    }

    /// Reads exactly `count` bytes: a whole message of known length. Throws `SHMIPC_PEER_GONE`-style errors,
    /// or `SHMIPC_STREAM_CLOSED` if the stream ends first.
    public func read(exactly count: Int) async throws(ShmIPCError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            switch readStep(into: &bytes, limit: count - bytes.count, wholeChunk: false) {
            case .progressed: continue
            case .endOfStream:
                throw ShmIPCError(.streamClosed, "stream \(id) ended after \(bytes.count) of \(count) bytes")
            case .failed(let error): throw error
            case .wouldBlock: try await waitUntilReadable()
            }
        }
        return bytes
    }

    /// Reads everything until the peer ends its direction (at most `maximumCount` bytes).
    public func readToEnd(maximumCount: Int = 1 << 30) async throws(ShmIPCError) -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            switch readStep(into: &bytes, limit: maximumCount + 1 - bytes.count, wholeChunk: false) {
            case .progressed:
                if bytes.count > maximumCount {
                    throw ShmIPCError(.invalidArgument, "stream \(id) carries more than \(maximumCount) bytes")
                }
            case .endOfStream: return bytes
            case .failed(let error): throw error
            case .wouldBlock: try await waitUntilReadable()
            }
        }
    }

    /// Suspends until bytes, end-of-stream or an error are available. One waiting reader at a time.
    public func waitUntilReadable() async throws(ShmIPCError) {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (ready, previous) = reading.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                    if !state.isEmpty || state.isOver || state.failure != nil || Task.isCancelled {
                        return (true, nil)
                    }
                    let previous = state.waiter
                    state.waiter = continuation
                    return (false, previous)
                }
                previous?.resume()
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = reading.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        if Task.isCancelled { throw ShmIPCError(.cancelled, "reading stream \(id) was cancelled") }
    }

    // MARK: poll API (no allocation per message)

    /// Shows `body` the next contiguous readable bytes in place (inside one slice, zero-copy); `body`
    /// returns how many it consumed. Never blocks. `body` runs with the stream's read lock held and must not
    /// call back into this stream.
    public func poll(_ body: (UnsafeRawBufferPointer) -> Int) -> PollResult {
        var failure: ShmIPCError?
        let result = reading.withLock { state -> PollResult in
            do throws(ShmIPCError) {
                if let view = try frontView(&state) {
                    let used = max(0, min(body(view), view.count))
                    state.consumed += used
                    _ = try frontView(&state)
                    return .consumed(used)
                }
            } catch {
                failure = error
                return .failed(error)
            }
            if let error = state.failure { return .failed(error) }
            return state.isOver ? .endOfStream : .empty
        }
        if let failure { core.terminate(failure) }
        do throws(ShmIPCError) { try core.checkMappings() } catch { return .failed(error) }
        return result
    }

    /// Copies up to `destination.count` bytes; never blocks.
    public func read(into destination: UnsafeMutableRawBufferPointer) -> PollResult {
        var copied = 0
        var result = PollResult.empty
        while copied < destination.count {
            let step = poll { view in
                let count = min(view.count, destination.count - copied)
                destination.baseAddress!.advanced(by: copied).copyMemory(from: view.baseAddress!, byteCount: count)
                return count
            }
            guard case .consumed(let count) = step else {
                result = copied > 0 ? .consumed(copied) : step
                break
            }
            copied += count
            result = .consumed(copied)
        }
        return result
    }

    // MARK: Internals

    /// Appends at most `limit` bytes: from one slice, or (with `wholeChunk`) from the whole next flush.
    private func readStep(into bytes: inout [UInt8], limit: Int, wholeChunk: Bool) -> Step {
        var failure: ShmIPCError?
        let step = reading.withLock { state -> Step in
            var added = 0
            do throws(ShmIPCError) {
                let startChunk = state.first
                while added < limit, let view = try frontView(&state) {
                    if wholeChunk && added > 0 && state.first != startChunk { break }
                    let count = min(view.count, limit - added)
                    bytes.appendBytes(UnsafeRawBufferPointer(rebasing: view[0..<count]))
                    state.consumed += count
                    added += count
                    if !wholeChunk { break }
                }
                _ = try frontView(&state)
            } catch {
                failure = error
                return .failed(error)
            }
            if added > 0 { return .progressed }
            if let error = state.failure { return .failed(error) }
            return state.isOver ? .endOfStream : .wouldBlock
        }
        if let failure { core.terminate(failure) }
        // Bytes copied from a region the peer shrank meanwhile are zeros, not data.
        do throws(ShmIPCError) { try core.checkMappings() } catch { return .failed(error) }
        return step
    }

    /// The readable bytes at the front, after releasing fully consumed slices; nil when nothing is buffered.
    /// Validates every peer-written slice header before use.
    func frontView(_ state: inout ReadState) throws(ShmIPCError) -> UnsafeRawBufferPointer? {
        let buffer = core.buffer
        while state.first < state.chunks.count {
            switch state.chunks[state.first] {
            case .heap(let bytes):
                if state.consumed < bytes.count {
                    return UnsafeRawBufferPointer(rebasing: bytes[state.consumed...])
                }
                bytes.deallocate()
                advanceChunk(&state)
            case .shared(let offset):
                let view: BufferManager.SliceView
                do { view = try buffer.sliceView(offset) } catch {
                    dropAll(&state)
                    state.failure = error
                    throw error
                }
                if state.consumed < view.size {
                    return UnsafeRawBufferPointer(
                        start: buffer.pointer(at: view.dataStart + state.consumed), count: view.size - state.consumed)
                }
                buffer.free(offset)
                state.consumed = 0
                if view.hasNext {
                    state.hops += 1
                    guard state.hops <= buffer.totalSlices else {
                        let error = ShmIPCError(.badOffset, "message chain of stream \(id) loops")
                        dropAll(&state)
                        state.failure = error
                        throw error
                    }
                    state.chunks[state.first] = .shared(view.next)
                } else {
                    advanceChunk(&state)
                }
            }
        }
        return nil
    }

    private func advanceChunk(_ state: inout ReadState) {
        state.first += 1
        state.consumed = 0
        state.hops = 0
        if state.first == state.chunks.count {
            state.chunks.removeAll(keepingCapacity: true)
            state.first = 0
        }
    }

    private func dropAll(_ state: inout ReadState) {
        // After a corrupt chain only the chunks behind it are trusted enough to free.
        if state.first < state.chunks.count { state.first += 1 }
        for chunk in state.chunks[state.first...] { chunk.release(core.buffer) }
        state.chunks.removeAll()
        state.first = 0
        state.consumed = 0
        state.hops = 0
    }
}
