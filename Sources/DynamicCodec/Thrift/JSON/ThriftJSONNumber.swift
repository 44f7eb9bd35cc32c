#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON number text parsed at the width a Thrift field needs, straight from the bytes.
enum ThriftJSONNumber {
    enum Integer {
        case value(Int64)
        /// A number with a fraction (`1.5`), or text that is not a JSON number at all.
        case notInteger
        /// An integer beyond the 64-bit range.
        case outOfRange
    }

    /// `text` as an exact integer: plain digits, or an exponent/fraction form with an integral value (`1e3`, `5.0`).
    static func integer(_ text: UnsafeRawBufferPointer) -> Integer {
        let count = text.count
        var index = 0
        let negative = count > 0 && text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < count else { return .notInteger }
        var magnitude: UInt64 = 0
        var overflow = false
        while index < count {
            let digit = text[index] &- 0x30
            guard digit < 10 else { break }
            let (shifted, shiftOverflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, addOverflow) = shifted.addingReportingOverflow(UInt64(digit))
            overflow = overflow || shiftOverflow || addOverflow
            magnitude = sum
            index += 1
        }
        if index == count {
            if overflow { return .outOfRange }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return .outOfRange }
                return .value(Int64(bitPattern: 0 &- magnitude))
            }
            guard magnitude <= UInt64(Int64.max) else { return .outOfRange }
            return .value(Int64(magnitude))
        }
        guard let number = double(text) else { return .notInteger }
        guard number == number.rounded(.towardZero) else { return .notInteger }
        guard let exact = Int64(exactly: number) else { return .outOfRange }
        return .value(exact)
    }

    /// `text` as a double; nil when it is not a number (the caller checks the JSON grammar first).
    static func double(_ text: UnsafeRawBufferPointer) -> Double? {
        // Up to 15 bytes a String is stored inline; longer numbers are parsed from a copy on the stack with the C
        // library's correctly rounded strtod, allocating nothing. Should the process's locale have another decimal
        // point, strtod stops early and Double(String) (always the C locale) parses the text instead.
        guard text.count > 15, text.count < 128 else { return Double(String(decoding: text, as: UTF8.self)) }
        let parsed = withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer -> Double? in
            guard let start = buffer.baseAddress else { return nil }
            for index in 0..<text.count { buffer[index] = CChar(bitPattern: text[index]) }
            buffer[text.count] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(start, &stop)
            return stop == start + text.count ? value : nil
        }
        return parsed ?? Double(String(decoding: text, as: UTF8.self))
    }

    /// Whether `text` follows the JSON number grammar (Swift's parsers also take hex, "inf", "+1", " 1"...).
    static func isJSONNumber(_ text: UnsafeRawBufferPointer) -> Bool {
        let count = text.count
        var index = 0
        if index < count, text[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            let start = index
            while index < count, text[index] &- 0x30 < 10 { index += 1 }
            return index - start
        }
        guard index < count, text[index] &- 0x30 < 10 else { return false }
        if text[index] == 0x30 { index += 1 } else { _ = digits() }
        if index < count, text[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < count, text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == count
    }
}
