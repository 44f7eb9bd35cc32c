/// Bounds on what an untrusted token may make the verifier do: its length, and the size and nesting of the JSON it
/// carries. Footers are parsed before the token is authenticated (to find the `kid`), so their limits are tight,
/// as the PASETO specification recommends for JSON footers.
public struct PASETOLimits: Sendable, Hashable {
    /// Longest token accepted, in bytes of its text form.
    public var maxTokenLength = 8192
    /// Longest decoded footer accepted when it is JSON.
    public var maxFooterLength = 2048
    /// Deepest nesting of a JSON footer (the object itself is depth 1).
    public var maxFooterDepth = 2
    /// Most top-level members of a JSON footer.
    public var maxFooterMembers = 32
    /// Deepest nesting of the claims object.
    public var maxClaimsDepth = 16
    /// Most top-level claims.
    public var maxClaimsMembers = 256

    public init() {}

    public init(maxTokenLength: Int) {
        self.maxTokenLength = maxTokenLength
    }
}
