/// The one error of PASETO verification and issuing: a stable code a caller can switch on (and the gateway can put
/// in a 401 body as is) and a message for logs that says why, without ever quoting key material, a decrypted
/// payload or the token itself.
public struct PASETOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable code. New codes may be added; existing ones never change meaning.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No token was presented.
        public static let tokenMissing = Code(rawValue: "TOKEN_MISSING")
        /// The token is malformed, too large, of a version or purpose no key serves, or fails authentication
        /// (wrong key, tampered bytes, wrong implicit assertion); also a bad footer or unparsable claims.
        public static let tokenInvalid = Code(rawValue: "TOKEN_INVALID")
        /// The token is authentic but its `exp` has passed (or it has none and one is required).
        public static let tokenExpired = Code(rawValue: "TOKEN_EXPIRED")
        /// The token is authentic but its `nbf` (or `iat`) lies in the future.
        public static let tokenNotYetValid = Code(rawValue: "TOKEN_NOT_YET_VALID")
        /// The token is authentic but `aud`, `iss`, `sub` or `jti` differs from what the rules expect.
        public static let claimMismatch = Code(rawValue: "CLAIM_MISMATCH")
        /// A key or key reference that cannot be used (bad PASERK, wrong length, unreadable file or variable).
        /// Raised when keys are loaded or when issuing, never for a presented token.
        public static let invalidKey = Code(rawValue: "INVALID_KEY")
    }

    public var code: Code
    /// Why, for logs and command-line output.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension PASETOError {
    /// Error constructors are out of line so that verification paths stay small.
    @inline(never)
    static func invalid(_ message: String) -> PASETOError { PASETOError(.tokenInvalid, message) }

    @inline(never)
    static func invalidKey(_ message: String) -> PASETOError { PASETOError(.invalidKey, message) }
}
