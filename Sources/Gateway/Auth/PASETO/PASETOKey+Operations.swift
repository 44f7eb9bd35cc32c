/// Making and opening tokens with whichever key a ``PASETOKey`` holds, for callers that choose keys at run time.
extension PASETOKey {
    /// Makes a token of this key's version: encrypted for a local key, signed for a secret key. A public key
    /// cannot make tokens. v2 has no implicit assertions, so a non-empty one is refused rather than dropped.
    public func issue(_ payload: [UInt8], footer: [UInt8] = [], implicitAssertion: [UInt8] = []) throws(PASETOError)
        -> String
    {
        if version == .v2, !implicitAssertion.isEmpty {
            throw .invalidKey("v2 tokens cannot carry an implicit assertion")
        }
        switch self {
        case .v2Local(let key): return try PASETO.V2.encrypt(payload, key: key, footer: footer)
        case .v2Secret(let key): return try PASETO.V2.sign(payload, key: key, footer: footer)
        case .v3Local(let key):
            return try PASETO.V3.encrypt(payload, key: key, footer: footer, implicitAssertion: implicitAssertion)
        case .v3Secret(let key):
            return try PASETO.V3.sign(payload, key: key, footer: footer, implicitAssertion: implicitAssertion)
        case .v4Local(let key):
            return try PASETO.V4.encrypt(payload, key: key, footer: footer, implicitAssertion: implicitAssertion)
        case .v4Secret(let key):
            return try PASETO.V4.sign(payload, key: key, footer: footer, implicitAssertion: implicitAssertion)
        case .v2Public, .v3Public, .v4Public:
            throw .invalidKey("a public key verifies tokens; issuing needs the secret key")
        }
    }

    /// Decrypts or verifies `token` (text form) and returns its payload and footer.
    public func open(_ token: String, implicitAssertion: [UInt8] = [], limits: PASETOLimits = PASETOLimits())
        throws(PASETOError) -> PASETOMessage
    {
        let parsed = try PASETOToken.parse(Array(token.utf8), maxLength: limits.maxTokenLength)
        return PASETOMessage(payload: try open(parsed, implicitAssertion: implicitAssertion), footer: parsed.footer)
    }

    /// The payload of a parsed token, if this key authenticates it. A secret key verifies with its public half.
    /// v2 tokens ignore the implicit assertion (the version has none), as the specification's vectors require.
    func open(_ token: PASETOToken, implicitAssertion: [UInt8]) throws(PASETOError) -> [UInt8] {
        let key = verificationKey
        guard token.version == key.version, token.purpose == key.purpose else {
            throw .invalid("token is \(token.version).\(token.purpose), the key is for \(key.version).\(key.purpose)")
        }
        switch key {
        case .v2Local(let key): return try PASETO.V2.decrypt(token, key: key)
        case .v2Public(let key): return try PASETO.V2.verify(token, key: key)
        case .v3Local(let key): return try PASETO.V3.decrypt(token, key: key, implicitAssertion: implicitAssertion)
        case .v3Public(let key): return try PASETO.V3.verify(token, key: key, implicitAssertion: implicitAssertion)
        case .v4Local(let key): return try PASETO.V4.decrypt(token, key: key, implicitAssertion: implicitAssertion)
        case .v4Public(let key): return try PASETO.V4.verify(token, key: key, implicitAssertion: implicitAssertion)
        case .v2Secret, .v3Secret, .v4Secret: throw .invalid("no verification key")
        }
    }
}
