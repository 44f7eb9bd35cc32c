import Testing
@testable import ShmIPC

