#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Textual forms that must match protoc's byte for byte, because they end up in descriptors.
enum ProtoSourceFormat {
    /// protoc's `SimpleDtoa`: `%.15g`, or `%.17g` when 15 digits do not read back as the same value.
    static func shortest(_ value: Double) -> String {
        if let special = specialName(value) { return special }
        let short = format(value, precision: 15)
        return Double(short) == value ? short : format(value, precision: 17)
    }

    /// protoc's `SimpleFtoa`: `%.6g`, or `%.9g` when 6 digits do not read back as the same value.
    static func shortest(_ value: Float) -> String {
        if let special = specialName(Double(value)) { return special }
        let short = format(Double(value), precision: 6)
        return Float(short) == value ? short : format(Double(value), precision: 9)
    }

    private static func specialName(_ value: Double) -> String? {
        if value.isNaN { return "nan" }
        if value == .infinity { return "inf" }
        if value == -.infinity { return "-inf" }
        return nil
    }

    private static func format(_ value: Double, precision: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 48)
        let count = buffer.count
        _ = withVaList([value]) { arguments in
            vsnprintf(&buffer, count, "%.\(precision)g", arguments)
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// protoc's `CEscape`: C escapes for quotes, backslash and `\n \r \t`; three-digit octal for any other byte
    /// outside printable ASCII.
    static func cEscape(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "'"): text += "\\'"
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                text += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return text
    }
}
