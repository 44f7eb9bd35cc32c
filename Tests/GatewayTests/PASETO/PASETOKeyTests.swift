import Foundation
import Testing

@testable import Gateway

/// Key formats (PASERK, hex, files, environment variables), PASERK identifiers, and key rings.
@Suite struct PASETOKeyTests {
    static let localHex = "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"

    @Test func paserkRoundTripsAndMatchesPysetoIdentifiers() throws {
        // Identifiers computed by pyseto 1.10.0 for the key "a" * 32 and the 3-S-1 / 4-S-1 vector keys.
        let local = Array(repeating: UInt8(ascii: "a"), count: 32)
        let expected: [(PASETOVersion, String, String)] = [
            (
                .v2, "k2.local.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
                "k2.lid.NykEyoa-w2DXmtlYqJFLRjldpP1SwLQl5jhJMa0GaWe4"
            ),
            (
                .v3, "k3.local.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
                "k3.lid.xWwghjStAcEs-SJcBBDsQdWdqBEg-J-VxZMvBxAFBc2-"
            ),
            (
                .v4, "k4.local.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
                "k4.lid.vEGV741r2kipk8wRSZKKocXZ-PVGPwoKqKv95KOEQOHl"
            ),
        ]
        for (version, paserk, id) in expected {
            let key = try PASETOKey(version: version, kind: .local, bytes: local)
            #expect(key.paserk == paserk)
            #expect(key.paserkID == id)
            #expect(try PASETOKey(paserk: paserk).paserk == paserk)
        }
        let v3Public = try PASETOKey(
            paserk: "k3.public.AvvLfGnuHGBXm-ejNBNIeNnFxb811VLatjwBQDl-0UzvY313IJJcRGmeow5yh0xy-w")
        #expect(v3Public.paserkID == "k3.pid.PxgWOvlp7nrlGmCZID5SvI6qON4tryxERukDQ1HtL8Ru")
        let v4Vector = try #require(PASETOVectors.load("v4").first { $0.name == "4-S-1" })
        let v4Secret = try #require(try v4Vector.secretKeyValue())
        #expect(v4Secret.paserkID == "k4.sid.9gZFsAQuXhu9lif2pV3rCDjOewsMF4qb4RHGhc0zUklt")
        #expect(v4Secret.verificationKey.paserk == "k4.public.Hrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI")
        #expect(try PASETOKey(paserk: v4Secret.paserk).paserk == v4Secret.paserk)
        #expect(v4Secret.keyID == v4Secret.verificationKey.paserkID)
    }

    @Test(arguments: [
        "k4.local.", "k4.local.YWFh", "k5.local.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
        "k4.lid.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE", "k4.local-wrap.pie.abc",
        "k4.local.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=",
        "k4.secret.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE",
        "k3.public.YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE", "k4.public.AAAA", "k4", "",
    ])
    func badPASERKIsRefused(_ text: String) {
        let error = #expect(throws: PASETOError.self) { try PASETOKey(paserk: text) }
        #expect(error?.code == .invalidKey)
    }

    @Test func keysLoadFromHexFilesAndEnvironment() throws {
        let fromHex = try PASETOKey.load(Self.localHex, version: .v4, kind: .local)
        #expect(fromHex.version == .v4 && fromHex.kind == .local)
        #expect(throws: PASETOError.self) { try PASETOKey.load(Self.localHex) }  // hex needs version and kind
        #expect(throws: PASETOError.self) {
            try PASETOKey.load("zz" + Self.localHex.dropFirst(2), version: .v4, kind: .local)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("paseto-key-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (fromHex.paserk + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try PASETOKey.load("file:" + path).paserk == fromHex.paserk)
        #expect(
            try PASETOKey.load("env:PASETO_TEST_KEY", environment: ["PASETO_TEST_KEY": " \(fromHex.paserk) "]).paserk
                == fromHex.paserk)
        #expect(throws: PASETOError.self) { try PASETOKey.load("env:PASETO_ABSENT", environment: [:]) }
        #expect(throws: PASETOError.self) { try PASETOKey.load("file:/nonexistent/key") }
        // PASERK disagreeing with the asked version or kind.
        #expect(throws: PASETOError.self) { try PASETOKey.load(fromHex.paserk, version: .v2) }
        #expect(throws: PASETOError.self) { try PASETOKey.load(fromHex.paserk, kind: .public) }
        // Lengths per version and kind.
        #expect(throws: PASETOError.self) {
            try PASETOKey(version: .v3, kind: .secret, bytes: [UInt8](repeating: 1, count: 32))
        }
        #expect(throws: PASETOError.self) {
            try PASETOKey(version: .v4, kind: .public, bytes: [UInt8](repeating: 1, count: 31))
        }
        var mismatched = try #require(try PASETOVectors.load("v4").first { $0.name == "4-S-1" }?.secretKeyValue())
            .rawBytes
        mismatched[63] ^= 1
        #expect(throws: PASETOError.self) { try PASETOKey(version: .v4, kind: .secret, bytes: mismatched) }
    }

    @Test func keyTypesKeepPurposesApart() throws {
        let local = PASETOKey.generate(.v4, .local)
        let secret = PASETOKey.generate(.v4, .secret)
        let localToken = try local.issue(Array("{}".utf8))
        let publicToken = try secret.issue(Array("{}".utf8))
        // A public key never opens a local token, nor a local key a public one, nor a v2 key a v4 token.
        #expect(throws: PASETOError.self) { try secret.verificationKey.open(localToken) }
        #expect(throws: PASETOError.self) { try local.open(publicToken) }
        #expect(throws: PASETOError.self) { try PASETOKey.generate(.v2, .local).open(localToken) }
        #expect(throws: PASETOError.self) { try secret.verificationKey.issue(Array("{}".utf8)) }
        #expect(throws: PASETOError.self) { try PASETOIssuer(key: secret.verificationKey) }
        #expect(throws: PASETOError.self) { try PASETOKey.generate(.v2, .local).issue([], implicitAssertion: [1]) }
        #expect(try local.open(localToken).payload == Array("{}".utf8))
        #expect(try secret.open(publicToken).payload == Array("{}".utf8))
    }

    @Test func keyRingSelectsByKeyIDAndRotates() throws {
        let old = PASETOKey.generate(.v4, .local)
        let new = PASETOKey.generate(.v4, .local)
        let signer = PASETOKey.generate(.v4, .secret)
        let ring = try PASETOKeyRing([
            PASETOKeyRing.Entry(id: "2024-old", key: old), PASETOKeyRing.Entry(id: "2025-new", key: new),
            PASETOKeyRing.Entry(key: signer),
        ])
        var rules = PASETOClaimRules()
        rules.requireExpiration = false
        let verifier = PASETOVerifier(keyRing: ring, rules: rules)
        let now = Date()
        for (key, id) in [(old, "2024-old"), (new, "2025-new")] {
            let token = try PASETOIssuer(key: key, footerKeyID: .named(id)).issue(claims: Array("{}".utf8), at: now)
            #expect(try verifier.verify(token, at: now).keyID == id)
            // Named with the other key's id: that key is tried, and fails.
            let other = id == "2024-old" ? "2025-new" : "2024-old"
            let misnamed = try PASETOIssuer(key: key, footerKeyID: .named(other)).issue(
                claims: Array("{}".utf8), at: now)
            #expect(throws: PASETOError.self) { try verifier.verify(misnamed, at: now) }
            // Without a kid every v4.local key is tried.
            let bare = try PASETOIssuer(key: key, footerKeyID: .omitted).issue(claims: Array("{}".utf8), at: now)
            #expect(try verifier.verify(bare, at: now).keyID == nil)
        }
        // The signer is registered under the pid of its public half, which the issuer puts in the footer.
        let signed = try PASETOIssuer(key: signer).issue(claims: Array("{}".utf8), at: now)
        #expect(try verifier.verify(signed, at: now).keyID == signer.verificationKey.paserkID)
        let unknown = try PASETOIssuer(key: new, footerKeyID: .named("nobody")).issue(claims: Array("{}".utf8), at: now)
        #expect(throws: PASETOError.self) { try verifier.verify(unknown, at: now) }
        // A kid that names a key of another purpose.
        let crossed = try PASETOIssuer(key: new, footerKeyID: .named(signer.keyID)).issue(
            claims: Array("{}".utf8), at: now)
        #expect(throws: PASETOError.self) { try verifier.verify(crossed, at: now) }
        // requireKeyID refuses kid-less tokens.
        var strict = verifier
        strict.keyRing.requireKeyID = true
        let bare = try PASETOIssuer(key: new, footerKeyID: .omitted).issue(claims: Array("{}".utf8), at: now)
        #expect(throws: PASETOError.self) { try strict.verify(bare, at: now) }
        // No keys, duplicate ids.
        #expect(throws: PASETOError.self) { try PASETOKeyRing([]) }
        #expect(throws: PASETOError.self) {
            try PASETOKeyRing([PASETOKeyRing.Entry(id: "a", key: old), PASETOKeyRing.Entry(id: "a", key: new)])
        }
    }
}
