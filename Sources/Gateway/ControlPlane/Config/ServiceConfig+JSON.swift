import DynamicCodec

extension ServiceConfig {
    /// The service as the JSON the admin API accepts and returns (same keys as the YAML config; per-method
    /// settings written out in full).
    public func json() -> String {
        func quote(_ text: String) -> String { JSONString.quoted(text) }
        func list(_ items: [String]) -> String { "[" + items.map(quote).joined(separator: ",") + "]" }
        func retryJSON(_ retry: Retry) -> String {
            "{\"max_attempts\":\(retry.maxAttempts),\"backoff\":\(quote(retry.backoff.rawValue))"
                + ",\"backoff_base\":\(quote(ConfigUnits.format(retry.backoffBase)))"
                + ",\"backoff_max\":\(quote(ConfigUnits.format(retry.backoffMax)))"
                + ",\"retry_on_timeout\":\(retry.retryOnTimeout),\"budget_percent\":\(retry.budgetPercent)"
                + ",\"idempotent\":\(retry.idempotent)}"
        }
        var fields: [String] = [
            "\"name\":\(quote(name))",
            "\"schema\":\(quote(schema.description))",
            "\"include\":\(list(include))",
            "\"service\":\(quote(service))",
        ]
        if let framing { fields.append("\"framing\":\(quote(framing.rawValue))") }
        fields.append("\"protocol\":\(quote(thriftProtocol == .compact ? "compact" : "binary"))")
        fields.append("\"transport\":\(quote(transport.rawValue))")
        if case .kitex(let kitexName) = discovery {
            fields.append("\"endpoints\":{\"discover\":\"kitex\",\"service\":\(quote(kitexName))}")
            let instances = zip(endpoints, weights.count == endpoints.count ? weights : endpoints.map { _ in 10 })
            fields.append(
                "\"discovered\":[" + instances.map { "{\"address\":\(quote($0)),\"weight\":\($1)}" }
                    .joined(separator: ",") + "]")
        } else {
            fields.append("\"endpoints\":\(list(endpoints))")
        }
        switch balance {
        case .roundRobin: fields.append("\"balance\":\"round-robin\"")
        case .consistentHash(let header): fields.append("\"balance\":\"consistent-hash\",\"key\":\(quote(header))")
        }
        fields.append(
            "\"timeouts\":{\"connect\":\(quote(ConfigUnits.format(timeouts.connect))),"
                + "\"rpc\":\(quote(ConfigUnits.format(timeouts.rpc)))}")
        fields.append("\"retry\":\(retryJSON(retry))")
        let methodFields = methods.keys.sorted().map { method in
            let settings = methods[method]!
            return quote(method) + ":{\"retry\":\(retryJSON(settings.retry)),"
                + "\"timeout\":\(quote(ConfigUnits.format(settings.rpcTimeout))),"
                + "\"auth\":\(quote(settings.auth ?? AuthPolicy.noneName))}"
        }
        fields.append("\"methods\":{\(methodFields.joined(separator: ","))}")
        fields.append("\"forward_headers\":\(list(forwardHeaders))")
        fields.append("\"strict\":\(strict)")
        if let auth { fields.append("\"auth\":\(quote(auth))") }
        switch sseResume {
        case .field(let name)?: fields.append("\"sse_resume\":\(quote(name))")
        case .metadata(let name)?: fields.append("\"sse_resume\":\(quote("metadata:" + name))")
        case nil: break
        }
        if protoNames { fields.append("\"proto_names\":true") }
        if let metadataPrefix { fields.append("\"metadata_prefix\":\(quote(metadataPrefix))") }
        if let tls { fields.append("\"tls\":" + Self.tlsJSON(tls)) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
