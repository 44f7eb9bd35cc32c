import Glibc

/// memfd_create and file seals, which the Glibc module does not export: looked up in libc at run time.
enum Memfd {
    static let closeOnExec: UInt32 = 0x0001
    static let allowSealing: UInt32 = 0x0002
    static let addSeals: Int32 = 1033
    static let getSeals: Int32 = 1034
    static let sealSeal: Int32 = 0x0001
    static let sealShrink: Int32 = 0x0002
    static let sealGrow: Int32 = 0x0004

    private typealias CreateFunction = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32

    private static let function: CreateFunction? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else { return nil }
        return unsafeBitCast(symbol, to: CreateFunction.self)
    }()

    /// Returns the new descriptor, or -1 with errno set (ENOSYS when libc lacks memfd_create).
    static func create(_ name: String, flags: UInt32) -> Int32 {
        guard let function else {
            errno = ENOSYS
            return -1
        }
        return name.withCString { function($0, flags) }
    }
}
