import Foundation
import PorticoTestSupport

@testable import Gateway

/// One case of the official PASETO test vectors (Tests/vectors/paseto, copied from the paseto-standard
/// test-vectors repository).
struct PASETOVector: Decodable, Sendable, CustomStringConvertible {
    var name: String
    var expectFail: Bool
    var key: String?
    var nonce: String?
    var publicKey: String?
    var secretKey: String?
    var token: String
    var payload: String?
    var footer: String
    var implicitAssertion: String

    enum CodingKeys: String, CodingKey {
        case name, key, nonce, token, payload, footer
        case expectFail = "expect-fail"
        case publicKey = "public-key"
        case secretKey = "secret-key"
        case implicitAssertion = "implicit-assertion"
    }

    var description: String { name }
    var version: PASETOVersion { name.hasPrefix("2-") ? .v2 : name.hasPrefix("3-") ? .v3 : .v4 }
    var footerBytes: [UInt8] { Array(footer.utf8) }
    var implicitBytes: [UInt8] { Array(implicitAssertion.utf8) }

    /// The vector's local key, if it has one.
    func localKey() throws -> PASETOKey? {
        guard let key else { return nil }
        return try PASETOKey(version: version, kind: .local, bytes: hex(key))
    }

    func secretKeyValue() throws -> PASETOKey? {
        guard let secretKey else { return nil }
        return try PASETOKey(version: version, kind: .secret, bytes: hex(secretKey))
    }

    func publicKeyValue() throws -> PASETOKey? {
        guard let publicKey else { return nil }
        return try PASETOKey(version: version, kind: .public, bytes: hex(publicKey))
    }
}

enum PASETOVectors {
    static let directory = Repo.root.appendingPathComponent("Tests/vectors/paseto")

    private struct File: Decodable {
        var tests: [PASETOVector]
    }

    /// The cases of `v2.json`, `v3.json` or `v4.json`; empty when the file cannot be read (a separate test checks
    /// the counts, so an empty list fails loudly).
    static func load(_ version: String) -> [PASETOVector] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("\(version).json")),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.tests
    }

    static let all: [PASETOVector] = load("v2") + load("v3") + load("v4")
}

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
    }
    return bytes
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
