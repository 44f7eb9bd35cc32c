import Foundation
import HTTPMapping

/// A policy ready to guard requests: its keys loaded into a verifier. Built once when the gateway starts (a key
/// that does not load keeps it from starting); immutable and shared by every event loop.
final class TokenAuthenticator: Sendable {
    let name: String
    let policy: AuthPolicy
    let verifier: PASETOVerifier

    /// What a valid token gives the request: the claims to forward, as (metadata name, value).
    typealias Forwarded = [(name: String, value: String)]

    /// Loads the policy's keys (`file:` and `env:` references are read now, from `environment`).
    init(name: String, policy: AuthPolicy, environment: [String: String]) throws(ConfigError) {
        self.name = name
        self.policy = policy
        var entries: [PASETOKeyRing.Entry] = []
        for (index, reference) in policy.keys.enumerated() {
            do {
                let key = try PASETOKey.load(
                    reference.key, version: reference.version, kind: reference.kind, environment: environment)
                entries.append(PASETOKeyRing.Entry(id: reference.id, key: key))
            } catch {
                // The message names the file or variable, never key material.
                throw ConfigError("auth.\(name).keys[\(index)]", error.message)
            }
        }
        let ring: PASETOKeyRing
        do {
            ring = try PASETOKeyRing(entries, requireKeyID: policy.requireKeyID)
        } catch {
            throw ConfigError("auth.\(name).keys", error.message)
        }
        verifier = PASETOVerifier(
            keyRing: ring, rules: policy.claims, implicitAssertion: Array(policy.implicitAssertion.utf8))
    }

    /// Whether a skip rule lets the request pass without a token.
    func skips(method: String, path: String) -> Bool {
        policy.skip.contains { $0.matches(method: method, path: path) }
    }

    /// Finds the token, verifies it at `now`, and returns the claims to forward. A token taken from the query or
    /// an urlencoded form is removed from the request, so the mapping (strict by default) does not see it.
    func authenticate(_ request: inout HTTPRequestParts, now: Date) throws(PASETOError) -> Forwarded {
        guard let (token, source) = token(in: request), !token.isEmpty else {
            throw PASETOError(.tokenMissing, "no token in \(policy.lookup.map(\.description).joined(separator: ", "))")
        }
        let verified = try verifier.verify(token, at: now)
        switch source {
        case .query(let name): request.removeQueryParameter(name)
        case .form(let name): request.removeURLEncodedFormField(name)
        case .header, .cookie: break
        }
        var forwarded: Forwarded = []
        for claim in policy.forwardClaims {
            guard let value = verified.claims.text(of: claim.claim) else { continue }
            // gRPC metadata values are printable ASCII; the same rule keeps TTHeader values plain text.
            guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { continue }
            forwarded.append((claim.name, value))
        }
        return forwarded
    }

    /// The first token the lookup sources find. A header without the token prefix holds none (the next source is
    /// tried), as does a form source on a body that is not a form. A WebSocket upgrade's `bearer.<token>`
    /// subprotocol offer comes first: browsers cannot set headers on a WebSocket.
    func token(in request: HTTPRequestParts) -> (String, AuthPolicy.TokenSource)? {
        for value in request.headers.all(named: "sec-websocket-protocol") {
            for offer in value.split(separator: ",") {
                let offer = offer.trimmingCharacters(in: .whitespaces)
                if offer.hasPrefix(WebSocketSession.bearerPrefix) {
                    return (String(offer.dropFirst(WebSocketSession.bearerPrefix.count)), .header("sec-websocket-protocol"))
                }
            }
        }
        for source in policy.lookup {
            switch source {
            case .header(let name):
                for value in request.headers.all(named: name) {
                    if let token = stripPrefix(value) { return (token, source) }
                }
            case .query(let name):
                if let value = (try? request.queryItems())?.first(where: { $0.name == name })?.value {
                    return (value, source)
                }
            case .cookie(let name):
                if let value = request.cookie(name) { return (value, source) }
            case .form(let name):
                if let fields = try? request.formFields(),
                    let field = fields.first(where: { $0.name == name && $0.fileName == nil })
                {
                    return (String(decoding: field.value, as: UTF8.self), source)
                }
            }
        }
        return nil
    }

    private func stripPrefix(_ value: String) -> String? {
        let prefix = policy.tokenPrefix
        guard !prefix.isEmpty else { return value.trimmingCharacters(in: .whitespaces) }
        guard value.utf8.count >= prefix.utf8.count,
            value.prefix(prefix.count).lowercased() == prefix.lowercased()
        else { return nil }
        return String(value.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }
}
