import Foundation
import PorticoTestSupport
import Testing

/// `portico token issue|verify`, run as a user runs them: keys as hex, PASERK, file: and env:, claims JSON on
/// standard output, error codes on standard error with exit status 1.
@Suite struct TokenCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let localHex = "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
    /// The 4-S-1 vector's key pair, as PASERK.
    static let v4Secret =
        "k4.secret.tMv7Q99M4hByfZU-SnEzB_oZu32fhQQUONnhG5QqN3Qeudu7vAR8A_1wYE4AcfCYfhayi3VyJcEfAEFdDiCxog"
    static let v4Public = "k4.public.Hrnbu7wEfAP9cGBOAHHwmH4Wsot1ciXBHwBBXQ4gsaI"

    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("portico").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/portico").path
    }

    func portico(_ arguments: [String], environment: [String] = []) throws -> ProcessResult {
        try runProcess("/usr/bin/env", environment + [Self.binary, "token"] + arguments)
    }

    func issue(_ arguments: [String], environment: [String] = []) throws -> String {
        let result = try portico(["issue"] + arguments, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func localTokenWithHexKeyRoundTrips() throws {
        let token = try issue([
            "--key", Self.localHex, "--purpose", "local", "--version", "v4", "--claims", #"{"sub":"alice"}"#, "--exp",
            "1h", "--kid", "main",
        ])
        #expect(token.hasPrefix("v4.local."))
        let result = try portico(["verify", "--key", Self.localHex, "--kid", "main", token])
        #expect(result.status == 0, "\(result.stderr)")
        let claims = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: String]
        #expect(claims?["sub"] == "alice")
        #expect(claims?["exp"] != nil && claims?["iat"] != nil)
        // The kid names a key the verifier does not have under that name.
        let unnamed = try portico(["verify", "--key", Self.localHex, token])
        #expect(unnamed.status == 1)
        #expect(unnamed.stderr.contains("TOKEN_INVALID"))
    }

    @Test func publicTokensWithPASERKFromEnvironmentAndFile() throws {
        let token = try issue(
            ["--key", "env:PORTICO_TEST_SECRET", "--purpose", "public", "--claims", #"{"sub":"bob"}"#, "--exp", "10m"],
            environment: ["PORTICO_TEST_SECRET=\(Self.v4Secret)"])
        #expect(token.hasPrefix("v4.public."))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("portico-token-\(getpid()).key").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (Self.v4Public + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        // No --purpose: the PASERK key says it is a public key.
        let result = try portico(["verify", "--key", "file:" + path, token])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains(#""sub":"bob""#))
        // A secret key verifies too (its public half).
        #expect(try portico(["verify", "--purpose", "public", "--key", Self.v4Secret, token]).status == 0)
        // Token from standard input.
        let piped = try runProcess(
            Self.binary, ["token", "verify", "--purpose", "public", "--key", Self.v4Public, "-"],
            input: Array((token + "\n").utf8))
        #expect(piped.status == 0, "\(piped.stderr)")
    }

    @Test func v2AndV3WorkFromTheCommandLine() throws {
        for version in ["v2", "v3"] {
            for purpose in ["local", "public"] {
                // A hex key of the right shape for each (v3 secret: a valid P-384 scalar).
                let secretHex =
                    version == "v3"
                    ? "20347609607477aca8fbfbc5e6218455f3199669792ef8b466faa87bdc67798144c848dd03661eed5ac62461340cea96"
                    : "b4cbfb43df4ce210727d953e4a713307fa19bb7d9f85041438d9e11b942a3774"
                let publicHex =
                    version == "v3"
                    ? "02fbcb7c69ee1c60579be7a334134878d9c5c5bf35d552dab63c0140397ed14c"
                        + "ef637d7720925c44699ea30e72874c72fb"
                    : "1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2"
                let key = purpose == "local" ? Self.localHex : secretHex
                let verifyKey = purpose == "local" ? Self.localHex : publicHex
                let token = try issue([
                    "--key", key, "--version", version, "--purpose", purpose, "--claims", #"{"n":1}"#, "--exp", "5m",
                    "--no-footer",
                ])
                #expect(token.hasPrefix("\(version).\(purpose)."))
                let result = try portico([
                    "verify", "--key", verifyKey, "--version", version, "--purpose", purpose, token,
                ])
                #expect(result.status == 0, "\(version).\(purpose): \(result.stderr)")
            }
        }
    }

    @Test func generatedKeysIssueAndVerify() throws {
        for version in ["v2", "v3", "v4"] {
            let result = try portico(["generate-key", "--version", version, "--purpose", "public"])
            #expect(result.status == 0, "\(result.stderr)")
            var fields: [String: String] = [:]
            for line in result.text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            let secret = try #require(fields["secret:"])
            let publicKey = try #require(fields["public:"])
            #expect(secret.hasPrefix("k\(version.dropFirst()).secret."))
            #expect(fields["kid:"]?.hasPrefix("k\(version.dropFirst()).pid.") == true)
            let token = try issue(["--key", secret, "--exp", "1m"])
            #expect(token.hasPrefix("\(version).public."))
            #expect(try portico(["verify", "--key", publicKey, token]).status == 0)
        }
        let local = try portico(["generate-key"])
        #expect(local.text.hasPrefix("local: k4.local."))
    }

    @Test func failuresPrintTheirCodeAndExitNonZero() throws {
        let expired = try issue(["--key", Self.localHex, "--claims", #"{"exp":"2020-01-01T00:00:00+00:00"}"#])
        var result = try portico(["verify", "--key", Self.localHex, expired])
        #expect(result.status == 1)
        #expect(result.stderr.contains("TOKEN_EXPIRED"))
        #expect(result.stdout.isEmpty)
        #expect(try portico(["verify", "--key", Self.localHex, "--ignore-times", expired]).status == 0)

        let token = try issue(["--key", Self.localHex, "--claims", #"{"aud":"api"}"#, "--exp", "1h"])
        result = try portico(["verify", "--key", Self.localHex, "--audience", "other", token])
        #expect(result.status == 1)
        #expect(result.stderr.contains("CLAIM_MISMATCH"))
        #expect(try portico(["verify", "--key", Self.localHex, "--audience", "api", token]).status == 0)

        let future = try issue(["--key", Self.localHex, "--claims", #"{"nbf":"2999-01-01T00:00:00Z"}"#, "--exp", "1h"])
        result = try portico(["verify", "--key", Self.localHex, future])
        #expect(result.stderr.contains("TOKEN_NOT_YET_VALID"))

        result = try portico(["verify", "--key", Self.localHex, ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("TOKEN_MISSING"))

        result = try portico(["verify", "--key", Self.localHex, String(token.dropLast(3)) + "AAA"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("TOKEN_INVALID"))

        result = try portico(["verify", "--key", Self.localHex, "--max-length", "40", token])
        #expect(result.stderr.contains("TOKEN_INVALID"))

        // A public key cannot issue; a bad key reference is reported as such.
        result = try portico(["issue", "--key", Self.v4Public, "--purpose", "public"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("INVALID_KEY"))
        result = try portico(["issue", "--key", "env:PORTICO_NO_SUCH_VARIABLE"])
        #expect(result.stderr.contains("INVALID_KEY"))
        // Key material never appears in error output.
        result = try portico(["verify", "--key", Self.v4Secret, "--purpose", "local", token])
        #expect(!result.stderr.contains(Self.v4Secret.dropFirst(10).prefix(20)))
    }
}
