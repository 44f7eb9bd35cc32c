import CLibFuzzer
import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    FuzzHarness.shmIPCEvents.fuzz(data, count)
}

/// The entry point. SwiftPM links an executable's `main` to `<target>_main`, which a module built with
/// -parse-as-library does not define, and which keeps libFuzzer's own `main` out: so this is it, and it runs
/// libFuzzer's driver.
@_cdecl("FuzzShmIPCEvents_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput)
}
