import Glibc

func errnoDescription(_ value: Int32) -> String {
    guard let text = strerror(value) else { return "unknown error" }
    return String(cString: text)
}

/// The calling thread's errno.
var currentErrno: Int32 { errno }
