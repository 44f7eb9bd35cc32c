public import Foundation

/// Keys from the places operators keep them: a literal (PASERK or hex), `file:PATH` (the file holds PASERK or hex)
/// or `env:NAME` (the environment variable does).
extension PASETOKey {
    /// The largest key file read; key files are a line or two.
    static let maxKeyFileLength = 16 * 1024

    /// Loads the key `reference` names. PASERK strings carry their version and kind, which must agree with
    /// `version` and `kind` when those are given; hex needs both (a 32-byte hex string could be any of three keys).
    public static func load(
        _ reference: String, version: PASETOVersion? = nil, kind: PASETOKeyKind? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PASETOError) -> PASETOKey {
        let text: String
        if reference.hasPrefix("file:") {
            text = try readKeyFile(String(reference.dropFirst(5)))
        } else if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let value = environment[name] else { throw .invalidKey("environment variable \(name) is not set") }
            text = value
        } else {
            text = reference
        }
        return try parse(text.trimmingCharacters(in: .whitespacesAndNewlines), version: version, kind: kind)
    }

    /// A key from PASERK or hex text.
    public static func parse(_ text: String, version: PASETOVersion? = nil, kind: PASETOKeyKind? = nil)
        throws(PASETOError) -> PASETOKey
    {
        if text.hasPrefix("k2.") || text.hasPrefix("k3.") || text.hasPrefix("k4.") {
            let key = try PASETOKey(paserk: text)
            if let version, key.version != version {
                throw .invalidKey("the PASERK key is for \(key.version), \(version) was asked for")
            }
            if let kind, key.kind != kind {
                throw .invalidKey("the PASERK key is a \(key.kind) key, a \(kind) key was asked for")
            }
            return key
        }
        guard let bytes = hexBytes(text) else { throw .invalidKey("key is neither PASERK (kN.type.data) nor hex") }
        guard let version, let kind else {
            throw .invalidKey("a hex key needs its version and kind (local, secret or public) to be given")
        }
        return try PASETOKey(version: version, kind: kind, bytes: bytes)
    }

    private static func readKeyFile(_ path: String) throws(PASETOError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .invalidKey("cannot read key file \(path)") }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxKeyFileLength + 1)) ?? Data()
        guard data.count <= maxKeyFileLength else { throw .invalidKey("key file \(path) is larger than a key") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Bytes of an even-length hex string (either case), or nil.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
