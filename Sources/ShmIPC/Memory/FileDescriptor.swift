import Glibc

/// The single owner of a file descriptor; closes it when dropped unless ownership is given away.
struct FileDescriptor: ~Copyable {
    let rawValue: Int32

    init(adopting rawValue: Int32) { self.rawValue = rawValue }

    /// Gives up ownership without closing.
    consuming func release() -> Int32 {
        let value = rawValue
        discard self
        return value
    }

    deinit { _ = Glibc.close(rawValue) }
}
