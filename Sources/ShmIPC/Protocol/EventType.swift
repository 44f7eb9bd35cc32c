/// The type byte of an event header (shmipc.md, "Event header").
package enum EventType: UInt8, Sendable {
    case shareMemoryByFilePath = 0
    case polling = 1
    case streamClose = 2
    case fallbackData = 3
    case exchangeProtoVersion = 4
    case shareMemoryByMemfd = 5
    case ackShareMemory = 6
    case ackReadyRecvFD = 7
    case hotRestart = 8
    case hotRestartAck = 9
}
