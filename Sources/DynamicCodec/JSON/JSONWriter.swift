/// Appends JSON text to a byte buffer: no intermediate strings for integers, escaping done byte by byte.
///
/// The writer does not track structure; callers write separators (`,` `:`) themselves through the small helpers,
/// which keeps the hot loops of the converters free of state checks.
package struct JSONWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) package mutating func byte(_ value: UInt8) { bytes.append(value) }
    @inline(__always) package mutating func comma() { bytes.append(UInt8(ascii: ",")) }
    @inline(__always) package mutating func colon() { bytes.append(UInt8(ascii: ":")) }
    @inline(__always) package mutating func beginObject() { bytes.append(UInt8(ascii: "{")) }
    @inline(__always) package mutating func endObject() { bytes.append(UInt8(ascii: "}")) }
    @inline(__always) package mutating func beginArray() { bytes.append(UInt8(ascii: "[")) }
    @inline(__always) package mutating func endArray() { bytes.append(UInt8(ascii: "]")) }

    package mutating func null() { raw("null".utf8) }

    package mutating func bool(_ value: Bool) {
        if value {
            raw("true".utf8)
        } else {
            raw("false".utf8)
        }
    }

    /// Appends `count` bytes at `start` with one copy. (Appending a slice of a raw buffer goes through the generic
    /// element-by-element path; a typed buffer pointer is copied with memcpy.)
    @inline(__always)
    package mutating func raw(_ start: UnsafeRawPointer, count: Int) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// A backslash and one character: the two-byte escapes.
    @inline(__always)
    package mutating func escaped(_ character: UInt8) {
        bytes.append(0x5C)
        bytes.append(character)
    }

    /// Appends pre-encoded bytes (a key already quoted and escaped, say).
    @inline(__always)
    package mutating func raw<Bytes: Sequence>(_ value: Bytes) where Bytes.Element == UInt8 { bytes.append(contentsOf: value) }

    package mutating func unsigned(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) + 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits.
        let count = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var remaining = value
            var index = 24
            while remaining > 0 {
                index -= 1
                scratch[index] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
                remaining /= 10
            }
            raw(scratch.baseAddress! + index, count: 24 - index)
            return 24 - index
        }
        _ = count
    }

    package mutating func signed(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            unsigned(UInt64(bitPattern: 0 &- value))
        } else {
            unsigned(UInt64(value))
        }
    }

    /// A finite double in the shortest form that reads back to the same value; NaN and infinities are written
    /// as the strings proto3 JSON uses.
    package mutating func double(_ value: Double) {
        if value.isNaN {
            raw("\"NaN\"".utf8)
        } else if value.isInfinite {
            raw(value < 0 ? "\"-Infinity\"".utf8 : "\"Infinity\"".utf8)
        } else if value == value.rounded(), abs(value) < 1e15 {
            // Integral values print without a fraction ("3", not "3.0"); -0.0 keeps its sign.
            if value == 0 && value.sign == .minus {
                raw("-0".utf8)
            } else {
                signed(Int64(value))
            }
        } else {
            raw(value.description.utf8)
        }
    }

    package mutating func float(_ value: Float) {
        if value.isNaN || value.isInfinite {
            double(Double(value))
        } else if value == value.rounded(), abs(value) < 1e7 {
            double(Double(value))
        } else {
            raw(value.description.utf8)
        }
    }

    /// Writes `text` as a quoted JSON string, escaping quotes, backslashes and control characters.
    package mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in string(utf8: UnsafeRawBufferPointer(utf8)) }
    }

    /// Writes already-validated UTF-8 bytes as a quoted JSON string.
    package mutating func string(utf8: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        guard let base = utf8.baseAddress else {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if runStart < index { raw(base + runStart, count: index - runStart) }
            runStart = index + 1
            switch byte {
            case 0x22: escaped(0x22)
            case 0x5C: escaped(0x5C)
            case 0x0A: escaped(0x6E)
            case 0x0D: escaped(0x72)
            case 0x09: escaped(0x74)
            case 0x08: escaped(0x62)
            case 0x0C: escaped(0x66)
            default:
                escaped(0x75)
                bytes.append(0x30)
                bytes.append(0x30)
                bytes.append(JSONWriter.hexDigit(byte >> 4))
                bytes.append(JSONWriter.hexDigit(byte & 0xF))
            }
        }
        if runStart < utf8.count { raw(base + runStart, count: utf8.count - runStart) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes bytes as a quoted standard base64 string (with padding).
    package mutating func base64(_ data: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        var index = 0
        while index + 3 <= data.count {
            let chunk = UInt32(data[index]) << 16 | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2])
            bytes.append(JSONWriter.base64Alphabet[Int(chunk >> 18)])
            bytes.append(JSONWriter.base64Alphabet[Int(chunk >> 12 & 63)])
            bytes.append(JSONWriter.base64Alphabet[Int(chunk >> 6 & 63)])
            bytes.append(JSONWriter.base64Alphabet[Int(chunk & 63)])
            index += 3
        }
        let remaining = data.count - index
        if remaining > 0 {
            var chunk = UInt32(data[index]) << 16
            if remaining == 2 { chunk |= UInt32(data[index + 1]) << 8 }
            bytes.append(JSONWriter.base64Alphabet[Int(chunk >> 18)])
            bytes.append(JSONWriter.base64Alphabet[Int(chunk >> 12 & 63)])
            bytes.append(remaining == 2 ? JSONWriter.base64Alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "="))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    package static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    @inline(__always)
    package static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? value + 0x30 : value + 0x57 }
}
