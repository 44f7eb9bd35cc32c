import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Publishes through a gateway's admin API: reads the name's active version, uploads only when the bundle differs.
struct AdminAPIPublisher: BundlePublisher {
    let base: String
    let token: String

    init(base: String, token: String) throws {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), URL(string: base) != nil else {
            throw PublishError("--gateway \(base) is not an http:// URL")
        }
        self.base = base
        self.token = token
    }

    func publish(name: String, main: String, files: [String: String], label: String) async throws
        -> (version: Int, uploaded: Bool)
    {
        let (status, current) = try await send("GET", "/admin/descriptors/\(name)")
        var expected = 0
        if status == 200, let object = try? JSONSerialization.jsonObject(with: current) as? [String: Any] {
            let active = object["active_version"] as? Int ?? 0
            if object["main"] as? String == main, object["files"] as? [String: String] == files {
                return (active, false)
            }
            expected = active
        } else if status != 404 {
            throw PublishError("GET /admin/descriptors/\(name): \(status) \(String(decoding: current, as: UTF8.self))")
        }
        let body = try JSONSerialization.data(withJSONObject: ["main": main, "files": files], options: [.sortedKeys])
        let query = "?if_version=\(expected)&label=\(label)"
        let (uploadStatus, reply) = try await send("POST", "/admin/descriptors/\(name)\(query)", body: body)
        guard uploadStatus == 201, let object = try? JSONSerialization.jsonObject(with: reply) as? [String: Any],
            let version = object["active_version"] as? Int
        else {
            throw PublishError("upload of \(name): \(uploadStatus) \(String(decoding: reply, as: UTF8.self))")
        }
        return (version, true)
    }

    func close() async {}

    private func send(_ method: String, _ path: String, body: Data? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 30)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        } catch {
            throw PublishError("\(method) \(base)\(path): \(error.localizedDescription)")
        }
    }
}
