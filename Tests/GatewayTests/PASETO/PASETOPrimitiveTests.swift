import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// The building blocks under the PASETO versions, each against published vectors or a second implementation.
@Suite struct PASETOPrimitiveTests {
    // MARK: base64url

    @Test func base64URLRoundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(Array(text.utf8)) == bytes)
        }
        #expect(Base64URL.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test(arguments: [
        "YW55IGNhcm5hbCBwbGVhcw==",  // padding
        "YW55IGNhcm5hbCBwbGVhcw=",
        "YW55+GNh",  // standard alphabet
        "YW55/GNh",
        "YW55 GNh",  // whitespace
        "YW55IGNhcm5hbCBwbGVhcx",  // non-zero trailing bits (…cw is canonical)
        "-_9",  // non-zero trailing bits (-_8 is canonical)
        "A",  // impossible length
        "AAAAA",
        "é",
    ])
    func base64URLRefusesNonCanonicalText(_ text: String) {
        #expect(Base64URL.decode(Array(text.utf8)) == nil)
    }

    // MARK: PAE (examples of the PASETO specification)

    @Test func preAuthenticationEncodingMatchesTheSpecification() {
        #expect(PAE.encode([]) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(PAE.encode([[]]) == [1, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(
            PAE.encode([Array("test".utf8)]) == [1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0] + Array("test".utf8))
        #expect(PAE.encode([[], []]) == [2, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16))
    }

    // MARK: BLAKE2b

    @Test func blake2bMatchesRFC7693() {
        // RFC 7693 Appendix A: BLAKE2b-512("abc").
        #expect(
            hexString(BLAKE2b.hash(digestLength: 64, key: [UInt8](), Array("abc".utf8)))
                == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
        // The reference KAT (blake2b-kat.txt): key 00..3f, message 00..(n-1); first and 256th entries.
        let key = (0..<64).map { UInt8($0) }
        #expect(
            hexString(BLAKE2b.hash(digestLength: 64, key: key, []))
                == "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
                + "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568")
    }

    @Test func blake2bAgreesWithPythonHashlib() async throws {
        // Message lengths around the block size, every key length class, digest lengths PASETO uses and extremes.
        var cases: [(message: [UInt8], key: [UInt8], length: Int)] = []
        for messageLength in [0, 1, 63, 64, 127, 128, 129, 255, 256, 257, 1000] {
            for keyLength in [0, 1, 32, 64] {
                for digestLength in [1, 24, 32, 33, 56, 64] {
                    let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ keyLength) }
                    let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: 255 - $0) }
                    cases.append((message, key, digestLength))
                }
            }
        }
        let script = """
            import hashlib, sys
            for line in sys.stdin:
                m, k, n = line.split()
                m = b"" if m == "-" else bytes.fromhex(m)
                k = b"" if k == "-" else bytes.fromhex(k)
                print(hashlib.blake2b(m, key=k, digest_size=int(n)).hexdigest())
            """
        func field(_ bytes: [UInt8]) -> String { bytes.isEmpty ? "-" : hexString(bytes) }
        let input =
            cases.map { "\(field($0.message)) \(field($0.key)) \($0.length)" }
            .joined(separator: "\n") + "\n"
        let output = try await onOwnThread { try runPeer("python3", ["-c", script], input: Array(input.utf8)) }
        let expected = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(expected.count == cases.count)
        for (testCase, digest) in zip(cases, expected) {
            #expect(
                hexString(BLAKE2b.hash(digestLength: testCase.length, key: testCase.key, testCase.message)) == digest)
        }
        // Incremental updates in odd pieces give the one-shot digest.
        var hasher = BLAKE2b(digestLength: 32, key: [UInt8](repeating: 9, count: 16))
        let message = (0..<700).map { UInt8(truncatingIfNeeded: $0) }
        for chunk in stride(from: 0, to: 700, by: 97) { hasher.update(message[chunk..<min(chunk + 97, 700)]) }
        #expect(hasher.finalize() == BLAKE2b.hash(digestLength: 32, key: [UInt8](repeating: 9, count: 16), message))
    }

    // MARK: ChaCha20 family

    @Test func hChaCha20MatchesTheXChaChaDraft() {
        // draft-irtf-cfrg-xchacha-03 §2.2.1.
        let key = (0..<32).map { UInt8($0) }
        let nonce = hex("000000090000004a0000000031415927")
        #expect(
            hexString(HChaCha20.subkey(key: key, nonce: nonce[...]))
                == "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc")
    }

    @Test func swiftCryptoChaCha20MatchesRFC8439() throws {
        // RFC 8439 §2.4.2: the raw stream cipher XChaCha20 runs on, block counter 1.
        let plaintext = Array(
            ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
                + "sunscreen would be it.").utf8)
        let output = try XChaCha20.chaCha20(
            key: (0..<32).map { UInt8($0) }, nonce: hex("000000000000004a00000000"), counter: 1, plaintext)
        #expect(
            hexString(output)
                == "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b357"
                + "1639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
                + "5af90bbf74a35be6b40b8eedf2785e42874d")
    }

    @Test func xChaCha20AgreesWithPycryptodome() async throws {
        // pycryptodomex implements XChaCha20 and XChaCha20-Poly1305 (24-byte nonces) on its own.
        let key = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ 1) }
        let nonce = (0..<24).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) }
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        let aad = Array("header".utf8)
        let script = """
            import sys
            from Cryptodome.Cipher import ChaCha20, ChaCha20_Poly1305
            k, n, m, a = (bytes.fromhex(x) for x in sys.argv[1:5])
            print(ChaCha20.new(key=k, nonce=n).encrypt(m).hex())
            c = ChaCha20_Poly1305.new(key=k, nonce=n); c.update(a)
            ct, tag = c.encrypt_and_digest(m)
            print((ct + tag).hex())
            """
        let arguments = ["-c", script, hexString(key), hexString(nonce), hexString(message), hexString(aad)]
        let output = try await onOwnThread { try runPeer("python3", arguments) }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        #expect(hexString(try XChaCha20.apply(key: key, nonce: nonce, to: message)) == lines[0])
        let sealed = try XChaCha20.seal(key: key, nonce: nonce, message: message, additionalData: aad)
        #expect(hexString(sealed) == lines[1])
        #expect(try XChaCha20.open(key: key, nonce: nonce, sealed: sealed[...], additionalData: aad) == message)
        var tampered = sealed
        tampered[5] ^= 1
        #expect(throws: PASETOError.self) {
            try XChaCha20.open(key: key, nonce: nonce, sealed: tampered[...], additionalData: aad)
        }
    }

    // MARK: time

    @Test func rfc3339DatesParseStrictly() throws {
        #expect(PASETOTime.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(PASETOTime.parse("2022-01-01T00:00:00+00:00")?.timeIntervalSince1970 == 1_640_995_200)
        #expect(PASETOTime.parse("2022-01-01T01:30:00+01:30")?.timeIntervalSince1970 == 1_640_995_200)
        #expect(PASETOTime.parse("2021-12-31T19:00:00-05:00")?.timeIntervalSince1970 == 1_640_995_200)
        #expect(PASETOTime.parse("2000-02-29T12:00:00.250Z")?.timeIntervalSince1970 == 951_825_600.25)
        #expect(PASETOTime.parse("1969-12-31T23:59:59Z")?.timeIntervalSince1970 == -1)
        for bad in [
            "", "2022-01-01", "2022-01-01T00:00:00", "2022-13-01T00:00:00Z", "2022-02-29T00:00:00Z",
            "2022-01-01T24:00:00Z", "2022-01-01T00:00:00+0000", "2022-01-01T00:00:00Zjunk", "2022-01-01T00:00:00.Z",
            "1640995200", "２０２２-01-01T00:00:00Z",
        ] {
            #expect(PASETOTime.parse(bad) == nil, "\(bad)")
        }
        let now = Date(timeIntervalSince1970: 1_700_000_000.75)
        #expect(PASETOTime.format(now) == "2023-11-14T22:13:20+00:00")
        #expect(PASETOTime.parse(PASETOTime.format(now))?.timeIntervalSince1970 == 1_700_000_000)
        #expect(PASETOTime.format(Date(timeIntervalSince1970: -86401)) == "1969-12-30T23:59:59+00:00")
    }
}
