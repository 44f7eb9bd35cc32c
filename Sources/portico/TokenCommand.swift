import ArgumentParser
import Foundation
import Gateway
import GenericCall

/// `portico token issue|verify`: mint and inspect PASETO tokens with the gateway's own library, so a user can make a
/// token for a test call or see why one is refused.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Issue and verify PASETO tokens (v2, v3, v4; local and public).",
        subcommands: [TokenIssueCommand.self, TokenVerifyCommand.self, TokenGenerateKeyCommand.self])
}

/// Options both subcommands share: which version and purpose, and the implicit assertion.
struct TokenKeyOptions: ParsableArguments {
    @Option(help: "PASETO version of hex keys: v2, v3 or v4 (PASERK keys carry their own).")
    var version: String?

    @Option(
        help: """
            local (shared key, encrypted token) or public (key pair, signed token); by default the PASERK key's own, \
            and local for hex keys.
            """)
    var purpose: String?

    @Option(
        name: .customLong("implicit-assertion"), help: "Text authenticated with v3/v4 tokens but not carried in them.")
    var implicitAssertion: String = ""

    func parsedVersion() throws -> PASETOVersion? {
        guard let version else { return nil }
        guard let parsed = PASETOVersion(rawValue: version) else {
            throw ValidationError("--version must be v2, v3 or v4")
        }
        return parsed
    }

    func parsedPurpose() throws -> PASETOPurpose? {
        guard let purpose else { return nil }
        guard let parsed = PASETOPurpose(rawValue: purpose) else {
            throw ValidationError("--purpose must be local or public")
        }
        return parsed
    }

    /// Loads `reference` as a key of one of `kinds`, narrowed to the kinds of --purpose when given. PASERK keys
    /// (literal, in a file or in a variable) bring their version and kind; hex keys are tried as each kind in turn,
    /// as v4 unless --version says otherwise.
    func loadKey(_ reference: String, kinds: [PASETOKeyKind]) throws -> PASETOKey {
        let version = try parsedVersion()
        let purpose = try parsedPurpose()
        let allowed = kinds.filter { purpose == nil || $0.purpose == purpose }
        if let key = try? PASETOKey.load(reference, version: version) {
            guard allowed.contains(key.kind) else {
                let wanted = allowed.map(\.rawValue).joined(separator: " or ")
                throw PASETOError(.invalidKey, "the key is a \(key.kind) key, a \(wanted) key is needed here")
            }
            return key
        }
        var lastError = PASETOError(.invalidKey, "no key")
        for kind in allowed {
            do {
                return try PASETOKey.load(reference, version: version ?? .v4, kind: kind)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}

/// Runs a token command body: a PASETO error goes to standard error as `portico: error: CODE: message`, exit 1.
func reportingTokenErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as PASETOError {
        FileHandle.standardError.write(Data("portico: error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

struct TokenIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Print a new token for the given claims: encrypted with a local key, or signed with a secret key.")

    @Option(help: "The key: hex, PASERK (k4.local. / k4.secret. ...), file:PATH or env:NAME.")
    var key: String

    @OptionGroup var options: TokenKeyOptions

    @Option(help: "Claims as a JSON object.")
    var claims: String = "{}"

    @Option(help: "Lifetime: sets exp to now plus this (e.g. 15m, 1h); iat is set to now unless given.")
    var exp: String?

    @Option(help: "The footer's kid (default: the key's PASERK identifier, k4.lid. or k4.pid.).")
    var kid: String?

    @Flag(name: .customLong("no-footer"), help: "Issue without a footer (no kid).")
    var noFooter = false

    func run() throws {
        try reportingTokenErrors {
            let key = try options.loadKey(self.key, kinds: [.local, .secret])
            var lifetime: Duration?
            if let exp {
                guard let parsed = DurationText.parse(exp) else {
                    throw ValidationError("--exp takes a duration like 1h")
                }
                lifetime = parsed
            }
            var footer = PASETOIssuer.FooterKeyID.paserkID
            if let kid { footer = .named(kid) }
            if noFooter { footer = .omitted }
            let issuer = try PASETOIssuer(
                key: key, footerKeyID: footer, implicitAssertion: Array(options.implicitAssertion.utf8))
            print(try issuer.issue(claims: Array(claims.utf8), lifetime: lifetime, at: Date()))
        }
    }
}

struct TokenVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a token and print its claims JSON; on failure print the error code and exit 1.")

    @Option(help: "A key (repeatable for rotation): hex, PASERK, file:PATH or env:NAME. A secret key verifies too.")
    var key: [String]

    @Option(help: "The identifier of each --key, in order (default: each key's PASERK identifier).")
    var kid: [String] = []

    @OptionGroup var options: TokenKeyOptions

    @Flag(name: .customLong("allow-no-exp"), help: "Accept tokens without an exp claim.")
    var allowNoExpiration = false

    @Flag(name: .customLong("ignore-times"), help: "Do not check exp, nbf and iat (to inspect old tokens).")
    var ignoreTimes = false

    @Option(help: "Tolerated clock skew for exp, nbf and iat (e.g. 30s).")
    var leeway: String = "0s"

    @Option(help: "Required aud.") var audience: String?
    @Option(help: "Required iss.") var issuer: String?
    @Option(help: "Required sub.") var subject: String?
    @Option(help: "Required jti.") var jti: String?

    @Option(name: .customLong("max-length"), help: "Longest token accepted, in bytes.")
    var maxLength: Int = PASETOLimits().maxTokenLength

    @Argument(help: "The token, or - to read it from standard input.")
    var token: String

    func run() throws {
        try reportingTokenErrors {
            guard kid.isEmpty || kid.count == key.count else {
                throw ValidationError("give one --kid per --key, or none")
            }
            guard let skew = DurationText.parse(leeway) else {
                throw ValidationError("--leeway takes a duration like 30s")
            }
            var entries: [PASETOKeyRing.Entry] = []
            for (index, reference) in key.enumerated() {
                let loaded = try options.loadKey(reference, kinds: [.local, .public, .secret])
                entries.append(PASETOKeyRing.Entry(id: kid.isEmpty ? nil : kid[index], key: loaded))
            }
            var rules = PASETOClaimRules(
                requireExpiration: !allowNoExpiration, leeway: skew, audience: audience, issuer: issuer,
                subject: subject, tokenIdentifier: jti)
            rules.checkTimes = !ignoreTimes
            let verifier = PASETOVerifier(
                keyRing: try PASETOKeyRing(entries), rules: rules, limits: PASETOLimits(maxTokenLength: maxLength),
                implicitAssertion: Array(options.implicitAssertion.utf8))
            var text = token
            if token == "-" {
                let input = FileHandle.standardInput.readData(ofLength: maxLength + 2)
                text = String(decoding: input, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let verified = try verifier.verify(text, at: Date())
            writeStandardOutput(verified.claims.json + [0x0A])
        }
    }
}

struct TokenGenerateKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-key",
        abstract: "Print a new random key as PASERK: a local key, or a secret key and its public key.")

    @Option(help: "PASETO version: v2, v3 or v4.")
    var version: String = "v4"

    @Option(help: "local (one shared key) or public (a key pair).")
    var purpose: String = "local"

    func run() throws {
        guard let version = PASETOVersion(rawValue: version) else {
            throw ValidationError("--version must be v2, v3 or v4")
        }
        guard let purpose = PASETOPurpose(rawValue: purpose) else {
            throw ValidationError("--purpose must be local or public")
        }
        let key = PASETOKey.generate(version, purpose == .local ? .local : .secret)
        print("\(key.kind): \(key.paserk)")
        if key.kind == .secret { print("public: \(key.verificationKey.paserk)") }
        print("kid: \(key.keyID)")
    }
}
