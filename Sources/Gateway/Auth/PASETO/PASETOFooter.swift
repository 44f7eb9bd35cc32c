import DynamicCodec

/// PASETO footers as the conventions use them: opaque bytes, or a small JSON object whose `kid` names the key.
/// The footer is read before the token is authenticated, so a JSON one is parsed within ``PASETOLimits``.
enum PASETOFooter {
    /// The `kid` of a JSON footer, nil for an empty or non-JSON footer or one without `kid`. A footer that starts
    /// like JSON (`{`) but is not a JSON object within the limits, or whose `kid` is not a string, is refused.
    static func keyID(in footer: [UInt8], limits: PASETOLimits) throws(PASETOError) -> String? {
        guard footer.first == UInt8(ascii: "{") else { return nil }
        guard footer.count <= limits.maxFooterLength else {
            throw .invalid("JSON footer longer than \(limits.maxFooterLength) bytes")
        }
        let members: JSONObjectMembers
        do {
            members = try JSONObjectMembers(
                parsing: footer, maxDepth: limits.maxFooterDepth, maxMembers: limits.maxFooterMembers)
        } catch {
            throw .invalid("footer is not a JSON object within limits: \(error.message)")
        }
        guard members.count(named: "kid") <= 1 else { throw .invalid("footer has more than one kid") }
        guard let range = members.value(named: "kid") else { return nil }
        guard let keyID = JSONObjectMembers.string(in: footer, at: range) else {
            throw .invalid("footer kid is not a string")
        }
        return keyID
    }

    /// The footer `{"kid":"<keyID>"}`.
    static func with(keyID: String) -> [UInt8] {
        Array(("{\"kid\":" + JSONString.quoted(keyID) + "}").utf8)
    }
}
