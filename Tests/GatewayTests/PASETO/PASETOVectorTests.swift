import Foundation
import Testing

@testable import Gateway

/// Every case of the official v2, v3 and v4 vectors: byte-exact encryption (nonce injected) and Ed25519 signing,
/// verify-only plus sign-then-verify for v3.public, decryption/verification through the typed API, the any-key API
/// and the verifier with a key ring; every expect-fail case refused.
@Suite struct PASETOVectorTests {
    /// Times are off: every exp in the vectors is in the past.
    static let replayRules: PASETOClaimRules = {
        var rules = PASETOClaimRules()
        rules.checkTimes = false
        return rules
    }()

    @Test func vectorFilesAreComplete() {
        #expect(PASETOVectors.load("v2").count == 15)
        #expect(PASETOVectors.load("v3").count == 17)
        #expect(PASETOVectors.load("v4").count == 17)
    }

    @Test(arguments: PASETOVectors.all.filter { !$0.expectFail && $0.key != nil })
    func encryptionIsByteExact(_ vector: PASETOVector) throws {
        let payload = Array(try #require(vector.payload).utf8)
        let nonce = hex(try #require(vector.nonce))
        let key = try #require(try vector.localKey())
        let token: String
        switch key {
        case .v2Local(let key):
            token = try PASETO.V2.encrypt(payload, key: key, footer: vector.footerBytes, nonceKey: nonce)
            #expect(
                try PASETO.V2.decrypt(vector.token, key: key)
                    == PASETOMessage(payload: payload, footer: vector.footerBytes))
        case .v3Local(let key):
            token = try PASETO.V3.encrypt(
                payload, key: key, footer: vector.footerBytes, implicitAssertion: vector.implicitBytes, nonce: nonce)
            #expect(
                try PASETO.V3.decrypt(vector.token, key: key, implicitAssertion: vector.implicitBytes)
                    == PASETOMessage(payload: payload, footer: vector.footerBytes))
        case .v4Local(let key):
            token = try PASETO.V4.encrypt(
                payload, key: key, footer: vector.footerBytes, implicitAssertion: vector.implicitBytes, nonce: nonce)
            #expect(
                try PASETO.V4.decrypt(vector.token, key: key, implicitAssertion: vector.implicitBytes)
                    == PASETOMessage(payload: payload, footer: vector.footerBytes))
        default:
            Issue.record("not a local key")
            return
        }
        #expect(token == vector.token)
        try expectVerifierAccepts(vector, key: key, payload: payload)
    }

    @Test(arguments: PASETOVectors.all.filter { !$0.expectFail && $0.secretKey != nil })
    func signingIsByteExactAndVerifies(_ vector: PASETOVector) throws {
        let payload = Array(try #require(vector.payload).utf8)
        let secret = try #require(try vector.secretKeyValue())
        let publicKey = try #require(try vector.publicKeyValue())
        switch (secret, publicKey) {
        case (.v2Secret(let secret), .v2Public(let publicKey)):
            #expect(try PASETO.V2.sign(payload, key: secret, footer: vector.footerBytes) == vector.token)
            #expect(try PASETO.V2.verify(vector.token, key: publicKey).payload == payload)
            #expect(hexString(secret.publicKey.bytes) == hexString(publicKey.bytes))
        case (.v4Secret(let secret), .v4Public(let publicKey)):
            #expect(
                try PASETO.V4.sign(
                    payload, key: secret, footer: vector.footerBytes, implicitAssertion: vector.implicitBytes)
                    == vector.token)
            #expect(
                try PASETO.V4.verify(vector.token, key: publicKey, implicitAssertion: vector.implicitBytes).payload
                    == payload)
        case (.v3Secret(let secret), .v3Public(let publicKey)):
            // ECDSA here is randomised: verify the vector's token, then sign and verify our own.
            #expect(
                try PASETO.V3.verify(vector.token, key: publicKey, implicitAssertion: vector.implicitBytes)
                    == PASETOMessage(payload: payload, footer: vector.footerBytes))
            #expect(secret.publicKey.compressed == publicKey.compressed)
            let ours = try PASETO.V3.sign(
                payload, key: secret, footer: vector.footerBytes, implicitAssertion: vector.implicitBytes)
            #expect(ours != vector.token)
            #expect(
                try PASETO.V3.verify(ours, key: publicKey, implicitAssertion: vector.implicitBytes)
                    == PASETOMessage(payload: payload, footer: vector.footerBytes))
            // Same length as the vector: identical payload and footer, a 96-byte signature.
            #expect(ours.count == vector.token.count)
        default:
            Issue.record("keys of the wrong kind")
            return
        }
        try expectVerifierAccepts(vector, key: publicKey, payload: payload)
        try expectVerifierAccepts(vector, key: secret, payload: payload)
    }

    @Test(arguments: PASETOVectors.all.filter(\.expectFail))
    func failureCasesAreRefused(_ vector: PASETOVector) throws {
        let keys = [try vector.localKey(), try vector.publicKeyValue(), try vector.secretKeyValue()].compactMap { $0 }
        #expect(!keys.isEmpty)
        for key in keys {
            #expect(throws: PASETOError.self) {
                try key.open(vector.token, implicitAssertion: vector.implicitBytes)
            }
            let ring = try PASETOKeyRing([PASETOKeyRing.Entry(id: "vector", key: key)])
            let verifier = PASETOVerifier(
                keyRing: ring, rules: Self.replayRules, implicitAssertion: vector.implicitBytes)
            let error = #expect(throws: PASETOError.self) { try verifier.verify(vector.token, at: Date()) }
            #expect(error?.code == .tokenInvalid)
        }
    }

    /// The verifier, with the key in a ring under the footer's kid when it has one, returns the payload.
    func expectVerifierAccepts(_ vector: PASETOVector, key: PASETOKey, payload: [UInt8]) throws {
        let keyID = try PASETOFooter.keyID(in: vector.footerBytes, limits: PASETOLimits())
        let ring = try PASETOKeyRing([
            PASETOKeyRing.Entry(id: keyID ?? "only", key: key),
            PASETOKeyRing.Entry(id: "other", key: .generate(key.version, key.kind == .local ? .local : .secret)),
        ])
        let verifier = PASETOVerifier(keyRing: ring, rules: Self.replayRules, implicitAssertion: vector.implicitBytes)
        let verified = try verifier.verify(vector.token, at: Date())
        #expect(verified.claims.json == payload)
        #expect(verified.footer == vector.footerBytes)
        #expect(verified.keyID == keyID)
        #expect(verified.claims.rawValue(of: "data") != nil)
    }
}
