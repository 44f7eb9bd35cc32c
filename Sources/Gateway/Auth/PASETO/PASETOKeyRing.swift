/// The keys a verifier accepts, each under an identifier that a token's footer `kid` selects; several keys per
/// version and purpose at once, so keys can be rotated without refusing tokens made with the previous one.
///
/// Secret keys are reduced to their public halves on entry: a ring only verifies.
public struct PASETOKeyRing: Sendable {
    /// One key and the identifier tokens name it by.
    public struct Entry: Sendable {
        public var id: String
        public var key: PASETOKey

        /// `id` defaults to the key's PASERK identifier (``PASETOKey/keyID``).
        public init(id: String? = nil, key: PASETOKey) {
            self.key = key.verificationKey
            self.id = id ?? key.keyID
        }
    }

    public let entries: [Entry]
    /// Refuse tokens whose footer has no `kid` instead of trying every key of the token's version and purpose.
    public var requireKeyID: Bool

    /// A ring of `entries`; fails when it is empty (a verifier without keys must not start) or two entries share
    /// an identifier.
    public init(_ entries: [Entry], requireKeyID: Bool = false) throws(PASETOError) {
        guard !entries.isEmpty else { throw .invalidKey("no keys configured") }
        var seen = Set<String>()
        for entry in entries where !seen.insert(entry.id).inserted {
            throw .invalidKey("two keys share the identifier \"\(entry.id)\"")
        }
        self.entries = entries
        self.requireKeyID = requireKeyID
    }

    /// A ring of keys under their PASERK identifiers.
    public init(keys: [PASETOKey], requireKeyID: Bool = false) throws(PASETOError) {
        try self.init(keys.map { Entry(key: $0) }, requireKeyID: requireKeyID)
    }

    /// The keys to try for a token of `version` and `purpose` whose footer names `keyID`: the one entry with that
    /// identifier, or without an identifier every key of that version and purpose (unless ``requireKeyID``).
    func candidates(version: PASETOVersion, purpose: PASETOPurpose, keyID: String?) throws(PASETOError) -> [PASETOKey] {
        if let keyID {
            guard let entry = entries.first(where: { $0.id == keyID }) else {
                throw .invalid("no key with the footer's kid \"\(keyID.prefix(64))\"")
            }
            guard entry.key.version == version, entry.key.purpose == purpose else {
                let named = "\(entry.key.version).\(entry.key.purpose)"
                throw .invalid("the footer's kid names a \(named) key, the token is \(version).\(purpose)")
            }
            return [entry.key]
        }
        guard !requireKeyID else { throw .invalid("token footer has no kid and one is required") }
        let keys = entries.lazy.map(\.key).filter { $0.version == version && $0.purpose == purpose }
        guard !keys.isEmpty else { throw .invalid("no key for \(version).\(purpose) tokens") }
        return Array(keys)
    }
}
