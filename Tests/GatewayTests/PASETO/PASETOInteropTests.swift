import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// Portico against pyseto (Tests/peers/paseto_peer.py; version pinned in scripts/install-test-deps.sh), both ways,
/// for v2, v3 and v4, local and public: tokens Portico issues verify in pyseto, tokens pyseto issues verify in
/// Portico, and each side refuses what it must (a wrong implicit assertion, a tampered token).
@Suite struct PASETOInteropTests {
    struct Request: Encodable {
        var ops: [Operation]
    }

    struct Operation: Encodable {
        var op: String
        var key: String
        var payload: String?
        var footer: String?
        var token: String?
        var implicit: String
    }

    struct Response: Decodable {
        var version: String
        var results: [Result]
    }

    struct Result: Decodable {
        var token: String?
        var payload: String?
        var footer: String?
        var error: String?
    }

    /// Runs one batch of operations in pyseto.
    func pyseto(_ ops: [Operation]) async throws -> Response {
        let input = try JSONEncoder().encode(Request(ops: ops))
        let bytes = [UInt8](input)
        let output = try await onOwnThread { try runPeer("python3", [Repo.peers + "/paseto_peer.py"], input: bytes) }
        return try JSONDecoder().decode(Response.self, from: Data(output))
    }

    static let now = Date()

    @Test func tokensCrossBetweenPorticoAndPysetoBothWays() async throws {
        let payload = #"{"sub":"user-ü","exp":"\#(PASETOTime.format(Self.now.addingTimeInterval(600)))","n":1}"#
        struct Case {
            var key: PASETOKey
            var implicit: String
            var ours: String
        }
        var cases: [Case] = []
        for version in PASETOVersion.allCases {
            for kind in [PASETOKeyKind.local, .secret] {
                let key = PASETOKey.generate(version, kind)
                let implicit = version == .v2 ? "" : "tenant-\(version)"
                let footer = PASETOFooter.with(keyID: key.keyID)
                let ours = try key.issue(Array(payload.utf8), footer: footer, implicitAssertion: Array(implicit.utf8))
                cases.append(Case(key: key, implicit: implicit, ours: ours))
            }
        }
        var ops: [Operation] = []
        for testCase in cases {
            let verification = testCase.key.verificationKey.paserk
            let footer = String(decoding: PASETOFooter.with(keyID: testCase.key.keyID), as: UTF8.self)
            // 0: pyseto issues with our key. 1: pyseto verifies ours. 2: pyseto, wrong implicit assertion (v3/v4)
            // or a tampered token (v2), must fail.
            ops.append(
                Operation(
                    op: "issue", key: testCase.key.paserk, payload: payload, footer: footer, implicit: testCase.implicit
                ))
            ops.append(Operation(op: "verify", key: verification, token: testCase.ours, implicit: testCase.implicit))
            if testCase.key.version == .v2 {
                ops.append(Operation(op: "verify", key: verification, token: tamper(testCase.ours), implicit: ""))
            } else {
                ops.append(Operation(op: "verify", key: verification, token: testCase.ours, implicit: "other"))
            }
        }
        let response = try await pyseto(ops)
        #expect(response.version == "1.10.0")
        try #require(response.results.count == ops.count)
        let ring = try PASETOKeyRing(keys: cases.map(\.key))
        for (index, testCase) in cases.enumerated() {
            let name = "\(testCase.key.version).\(testCase.key.purpose)"
            let issued = response.results[index * 3]
            let verifiedThere = response.results[index * 3 + 1]
            let refusedThere = response.results[index * 3 + 2]
            // Portico -> pyseto.
            #expect(verifiedThere.error == nil, "\(name): pyseto refused our token: \(verifiedThere.error ?? "")")
            #expect(verifiedThere.payload == payload, "\(name)")
            #expect(
                verifiedThere.footer == String(decoding: PASETOFooter.with(keyID: testCase.key.keyID), as: UTF8.self))
            #expect(refusedThere.error != nil, "\(name): pyseto accepted a token it must refuse")
            // pyseto -> Portico, through the verifier with every key in one ring (selected by the kid).
            let theirs = try #require(issued.token, "\(name): pyseto could not issue: \(issued.error ?? "")")
            #expect(theirs.hasPrefix("\(testCase.key.version).\(testCase.key.purpose)."))
            let verifier = PASETOVerifier(keyRing: ring, implicitAssertion: Array(testCase.implicit.utf8))
            let verified = try verifier.verify(theirs, at: Self.now)
            #expect(String(decoding: verified.claims.json, as: UTF8.self) == payload, "\(name)")
            #expect(verified.claims.subject == "user-ü")
            #expect(verified.keyID == testCase.key.keyID)
            #expect(throws: PASETOError.self, "\(name)") { try verifier.verify(tamper(theirs), at: Self.now) }
            if testCase.key.version != .v2 {
                let wrongAssertion = PASETOVerifier(keyRing: ring, implicitAssertion: Array("other".utf8))
                #expect(throws: PASETOError.self, "\(name)") { try wrongAssertion.verify(theirs, at: Self.now) }
            }
        }
    }

    /// The token with one character of its body changed.
    func tamper(_ token: String) -> String {
        var characters = Array(token.utf8)
        let index = 12
        characters[index] = characters[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return String(decoding: characters, as: UTF8.self)
    }
}
