import NIOCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `/console` and `/openapi.json` need: the settings, the admin token guarding them, and the document of
/// the last snapshot it was built for (rebuilt when the snapshot changes).
final class ConsoleEndpoints: Sendable {
    let settings: GatewayConfig.Console
    let adminToken: String?
    /// The gateway's PASETO policies, for the document's security schemes.
    let authPolicies: [String: AuthPolicy]
    private let cached = Mutex<(generation: Int, body: ByteBuffer)?>(nil)

    init(settings: GatewayConfig.Console, adminToken: String?, authPolicies: [String: AuthPolicy] = [:]) {
        self.settings = settings
        self.adminToken = adminToken
        self.authPolicies = authPolicies
    }

    static let documentPath = "/openapi.json"
    static let consolePath = "/console"

    /// Whether this request is for the console or the document (and they are enabled). Other methods on these
    /// paths go on to the routes.
    func handles(method: String, path: String) -> Bool {
        guard method == "GET" || method == "HEAD" else { return false }
        return (path == Self.documentPath && settings.openAPI)
            || ((path == Self.consolePath || path == Self.consolePath + "/") && settings.enabled)
    }

    /// The document of `snapshot`, built once per snapshot generation.
    func document(for snapshot: RouteSnapshot) -> ByteBuffer {
        if let (generation, body) = cached.withLock({ $0 }), generation == snapshot.generation { return body }
        let body = ByteBuffer(
            bytes: OpenAPIDocument.build(
                snapshot, console: settings, adminAPI: adminToken != nil, authPolicies: authPolicies
            ).document.encoded())
        cached.withLock { $0 = (snapshot.generation, body) }
        return body
    }

    /// With an admin token configured: whether the request carries it, as a bearer token or as the password of
    /// HTTP Basic credentials (what a browser sends after its login prompt).
    func authorized(_ authorization: String?) -> Bool {
        guard let adminToken else { return true }
        guard let authorization else { return false }
        let given: [UInt8]
        if authorization.hasPrefix("Bearer ") {
            given = Array(authorization.utf8.dropFirst("Bearer ".count))
        } else if authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst("Basic ".count))).map(Array.init),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        {
            given = Array(decoded[(colon + 1)...])
        } else {
            return false
        }
        let expected = Array(adminToken.utf8)
        // Constant time in the token's length.
        var difference = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
        }
        return difference == 0
    }
}
