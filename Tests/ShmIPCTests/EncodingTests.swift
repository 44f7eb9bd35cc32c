import Testing

@testable import ShmIPC

@Suite("Event encoding")
struct EncodingTests {
    @Test("ExchangeProtoVersion v3 is 00 00 00 08 77 58 03 04")
    func exchangeVersionBytes() {
        #expect(Events.empty(.exchangeProtoVersion, version: 3) == [0, 0, 0, 8, 0x77, 0x58, 3, 4])
        #expect(Events.empty(.polling, version: 2) == [0, 0, 0, 8, 0x77, 0x58, 2, 1])
    }

    @Test("StreamClose and FallbackData layouts")
    func streamCloseAndFallback() {
        #expect(Events.streamClose(streamID: 0x0102_0304, version: 3) == [0, 0, 0, 12, 0x77, 0x58, 3, 2, 1, 2, 3, 4])
        #expect(
            Events.fallbackPrefix(streamID: 2, status: 0, dataCount: 5, version: 3)
                == [0, 0, 0, 21, 0x77, 0x58, 3, 3, 0, 0, 0, 2, 0, 0, 0, 0])
    }

    @Test("ShareMemory payload: queue path, then buffer path, each u16 length + bytes")
    func shareMemoryPaths() throws {
        let bytes = Events.shareMemory(
            .shareMemoryByFilePath, queuePath: "/dev/shm/q", bufferPath: "/dev/shm/bb", version: 2)
        #expect(Array(bytes[0..<8]) == [0, 0, 0, UInt8(8 + 2 + 10 + 2 + 11), 0x77, 0x58, 2, 0])
        #expect(Array(bytes[8..<10]) == [0, 10])
        let paths = try bytes.withUnsafeBytes { raw in
            try Events.decodePaths(UnsafeRawBufferPointer(rebasing: raw[8...]))
        }
        #expect(paths.queue == "/dev/shm/q")
        #expect(paths.buffer == "/dev/shm/bb")
    }

    @Test("truncated share-memory payloads are rejected")
    func truncatedPaths() {
        let payload: [UInt8] = [0, 10, 0x41]
        #expect(throws: ShmIPCError.self) {
            try payload.withUnsafeBytes { try Events.decodePaths($0) }
        }
    }

    @Test("header decoding accepts every type 0...9")
    func headerTypes() throws {
        for type in UInt8(0)...9 {
            let length: UInt8 = type == 2 ? 12 : type == 3 || type >= 8 ? 16 : type == 0 || type == 5 ? 12 : 8
            let bytes: [UInt8] = [0, 0, 0, length, 0x77, 0x58, 3, type]
            let header = try bytes.withUnsafeBytes { try EventHeader.decode($0, maximumLength: 1024) }
            #expect(header.type.rawValue == type)
            #expect(header.length == UInt32(length))
        }
    }

    @Test(
        "header decoding rejects bad input with a stable code",
        arguments: [
            ([0, 0, 0, 8, 0x12, 0x34, 3, 1], "SHMIPC_BAD_MAGIC"),
            ([0, 0, 0, 8, 0x77, 0x58, 0, 1], "SHMIPC_BAD_VERSION"),
            ([0, 0, 0, 8, 0x77, 0x58, 3, 10], "SHMIPC_BAD_EVENT"),
            ([0, 0, 0, 4, 0x77, 0x58, 3, 1], "SHMIPC_BAD_EVENT"),
            ([0, 0, 0, 8, 0x77, 0x58, 3, 2], "SHMIPC_BAD_EVENT"),
            ([0xFF, 0, 0, 8, 0x77, 0x58, 3, 3], "SHMIPC_BAD_EVENT"),
            ([0, 0, 0, 8, 0x77], "SHMIPC_BAD_EVENT"),
        ] as [([UInt8], String)])
    func headerRejects(bytes: [UInt8], code: String) {
        do throws(ShmIPCError) {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(ShmIPCError) in try EventHeader.decode(raw, maximumLength: 1 << 20) }
            }
            _ = try result.get()
            Issue.record("accepted \(bytes)")
        } catch {
            #expect(error.code.rawValue == code)
            #expect(!error.message.isEmpty)
        }
    }
}
