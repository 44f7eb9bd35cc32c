import Foundation
import HTTPMapping

extension GatewayHandler {
    /// The policy guarding `method` of `service` (the method's own setting, else the service's). A name the
    /// gateway has no policy for fails closed (the snapshot builder refuses such names, so this is a safeguard).
    func authenticator(for service: ServiceConfig, method: String) -> Result<TokenAuthenticator?, GatewayError> {
        let name = service.methods.isEmpty ? service.auth : service.settings(for: method).auth
        guard let name else { return .success(nil) }
        guard let authenticator = authenticators[name] else {
            logger.error("route names an auth policy the gateway does not have", metadata: ["policy": "\(name)"])
            return .failure(GatewayError(code: "INTERNAL", status: 500, "authentication is misconfigured"))
        }
        return .success(authenticator)
    }

    /// Checks the request's token against the route's policy: the claims to forward, or the 401 to answer with.
    /// The response says only the code; the log says why.
    func authenticate(
        _ request: inout HTTPRequestParts, with authenticator: TokenAuthenticator, route: String, requestID: String
    ) -> Result<TokenAuthenticator.Forwarded, Refusal> {
        if authenticator.skips(method: request.method.uppercased(), path: request.path) { return .success([]) }
        do {
            return .success(try authenticator.authenticate(&request, now: Date()))
        } catch {
            metrics.authRefused(policy: authenticator.name, code: error.code.rawValue)
            requestLogger(requestID: requestID, route: route).info(
                "token refused",
                metadata: [
                    "policy": "\(authenticator.name)", "code": "\(error.code.rawValue)", "reason": "\(error.message)",
                ])
            return .failure(Refusal(label: route, response: GatewayResponse(Self.unauthenticated(error.code))))
        }
    }

    /// The 401 for a refused token: the stable code, a fixed message, and `WWW-Authenticate` (RFC 6750).
    static func unauthenticated(_ code: PASETOError.Code) -> GatewayError {
        let message =
            switch code {
            case .tokenMissing: "a token is required"
            case .tokenExpired: "the token has expired"
            case .tokenNotYetValid: "the token is not valid yet"
            case .claimMismatch: "the token's claims are not accepted here"
            default: "the token is not valid"
            }
        var error = GatewayError(code: code.rawValue, status: 401, message)
        error.headers = [
            ("WWW-Authenticate", code == .tokenMissing ? "Bearer" : "Bearer error=\"invalid_token\"")
        ]
        return error
    }
}
