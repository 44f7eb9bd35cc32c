import Foundation
import PorticoTestSupport
import Testing

@testable import Gateway

/// Tokens an attacker can send: truncated, oversized, of the wrong version or purpose, with bad or hostile
/// footers, with flipped characters, or random. All refused with the right code, none crashes.
@Suite struct PASETOHostileInputTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let claims = Array(#"{"sub":"u","exp":"2030-01-01T00:00:00+00:00"}"#.utf8)

    /// One key of each version and purpose (secret keys for public), and a verifier that accepts all of them.
    static let keys: [PASETOKey] = PASETOVersion.allCases.flatMap {
        [PASETOKey.generate($0, .local), .generate($0, .secret)]
    }
    static let verifier: PASETOVerifier = {
        // A ring can only fail to build when empty; it is not.
        let ring = (try? PASETOKeyRing(keys: keys)) ?? (try! PASETOKeyRing(keys: [.generate(.v4, .local)]))
        return PASETOVerifier(keyRing: ring)
    }()

    static func tokens() throws -> [String] {
        try keys.map { try PASETOIssuer(key: $0).issue(claims: claims, at: now) }
    }

    func code(_ token: String, verifier: PASETOVerifier = PASETOHostileInputTests.verifier) -> PASETOError.Code? {
        do {
            _ = try verifier.verify(token, at: Self.now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func validTokensOfEveryKindPass() throws {
        for token in try Self.tokens() { #expect(code(token) == nil, "\(token.prefix(10))") }
    }

    @Test func emptyIsMissingAndEveryTruncationIsInvalid() throws {
        #expect(code("") == .tokenMissing)
        for token in try Self.tokens() {
            for length in 1..<token.count {
                #expect(code(String(token.prefix(length))) == .tokenInvalid, "\(token.prefix(10)) cut at \(length)")
            }
        }
    }

    @Test func everyCharacterChangeIsRefused() throws {
        for token in try Self.tokens() {
            var characters = Array(token.utf8)
            let headerLength =
                token.hasPrefix("v2.local.") || token.hasPrefix("v3.local.") || token.hasPrefix("v4.local.") ? 9 : 10
            for index in headerLength..<characters.count where characters[index] != UInt8(ascii: ".") {
                let original = characters[index]
                // Another alphabet character (changes at least one decoded bit, or a trailing bit).
                characters[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                #expect(
                    code(String(decoding: characters, as: UTF8.self)) == .tokenInvalid,
                    "\(token.prefix(10)) at \(index)")
                characters[index] = original
            }
        }
    }

    @Test func wrongVersionsAndPurposesAreInvalid() throws {
        let token = try Self.keys[5].issue(Self.claims)  // v4.public
        let body = token.dropFirst("v4.public.".count)
        for header in [
            "v1.public.", "v5.public.", "V4.public.", "v4.secret.", "v4.Public.", "v4..", "v4.public.v4.public.",
        ] {
            #expect(code(header + body) == .tokenInvalid, "\(header)")
        }
        // A verifier holding only local keys refuses public tokens, and the reverse.
        let localOnly = PASETOVerifier(keyRing: try PASETOKeyRing(keys: [Self.keys[4]]))
        #expect(code(token, verifier: localOnly) == .tokenInvalid)
        let publicOnly = PASETOVerifier(keyRing: try PASETOKeyRing(keys: [Self.keys[5]]))
        #expect(code(try Self.keys[4].issue(Self.claims), verifier: publicOnly) == .tokenInvalid)
        // v3 and v2 tokens against a v4-only ring.
        #expect(code(try Self.keys[0].issue(Self.claims), verifier: localOnly) == .tokenInvalid)
        #expect(code(try Self.keys[2].issue(Self.claims), verifier: localOnly) == .tokenInvalid)
    }

    @Test func oversizedTokensAreRefusedBeforeAnyWork() throws {
        let big = try Self.keys[4].issue(
            Array(#"{"exp":"2030-01-01T00:00:00Z","pad":""#.utf8) + [UInt8](repeating: 0x61, count: 7000)
                + Array(#""}"#.utf8))
        #expect(big.utf8.count > 8192)
        #expect(code(big) == .tokenInvalid)
        var larger = Self.verifier
        larger.limits.maxTokenLength = 16384
        #expect(code(big, verifier: larger) == nil)
        var smaller = Self.verifier
        smaller.limits.maxTokenLength = 64
        #expect(code(try Self.keys[4].issue(Self.claims), verifier: smaller) == .tokenInvalid)
        #expect(code(String(repeating: "v4.local.", count: 100_000)) == .tokenInvalid)
    }

    @Test func badFootersAreInvalid() throws {
        let key = Self.keys[4]
        let payload = Self.claims
        let deep = "{\"a\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        let hostile: [String] = [
            "{", "{\"kid\":}", "{\"kid\":1}", "{\"kid\":\"a\",\"kid\":\"b\"}", "{\"kid\":\"a\"} trailing",
            "{\"a\":{\"b\":{}}}", deep, "{\"pad\":\"" + String(repeating: "x", count: 3000) + "\"}",
            "{" + (0..<40).map { "\"k\($0)\":0" }.joined(separator: ",") + "}",
        ]
        var larger = Self.verifier
        larger.limits.maxTokenLength = 64 * 1024
        for footer in hostile {
            let token = try key.issue(payload, footer: Array(footer.utf8))
            #expect(code(token, verifier: larger) == .tokenInvalid, "\(footer.prefix(30))")
        }
        // Fine: opaque footers, JSON footers within limits without a kid.
        for footer in ["opaque", "[1,2]", "{\"a\":{\"b\":1}}", "{}"] {
            #expect(code(try key.issue(payload, footer: Array(footer.utf8))) == nil, "\(footer)")
        }
        // Footer encodings: padded, empty after the dot, non-alphabet.
        let token = try key.issue(payload, footer: Array("opaque".utf8))
        #expect(code(token + "=") == .tokenInvalid)
        #expect(code(String(token.prefix(upTo: token.lastIndex(of: ".")!)) + ".") == .tokenInvalid)
        #expect(code(token + "!") == .tokenInvalid)
    }

    @Test func deepAndHugeClaimsAreInvalidWithoutExhaustingTheStack() throws {
        var larger = Self.verifier
        larger.limits.maxTokenLength = 1 << 20
        let deep =
            "{\"exp\":\"2030-01-01T00:00:00Z\",\"a\":" + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}"
        #expect(code(try Self.keys[4].issue(Array(deep.utf8)), verifier: larger) == .tokenInvalid)
        let wide = "{" + (0..<1000).map { "\"c\($0)\":0" }.joined(separator: ",") + ",\"exp\":\"2030-01-01T00:00:00Z\"}"
        #expect(code(try Self.keys[4].issue(Array(wide.utf8)), verifier: larger) == .tokenInvalid)
        let payloadNotJSON = try Self.keys[5].issue([0xFF, 0xFE, 0x00])
        #expect(code(payloadNotJSON) == .tokenInvalid)
    }

    @Test func randomInputNeverCrashes() {
        var generator = SplitMix(seed: 0x5EED_0018)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"".utf8)
        let headers = ["v2.local.", "v2.public.", "v3.local.", "v3.public.", "v4.local.", "v4.public.", ""]
        for round in 0..<3000 {
            let length = Int(generator.next() % 300)
            var bytes = Array(headers[round % headers.count].utf8)
            for _ in 0..<length {
                bytes.append(
                    round % 5 == 0
                        ? UInt8(truncatingIfNeeded: generator.next())
                        : alphabet[Int(generator.next() % UInt64(alphabet.count))])
            }
            do {
                _ = try Self.verifier.verify(bytes, at: Self.now)
                Issue.record("random input accepted")
            } catch {
                #expect(error.code == .tokenInvalid || (bytes.isEmpty && error.code == .tokenMissing))
            }
        }
    }
}
