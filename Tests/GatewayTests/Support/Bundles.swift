import Foundation

/// Upload bodies made from the repository's example descriptors.
enum Bundles {
    static func file(_ name: String) -> String {
        (try? String(contentsOfFile: "\(Fixtures.descriptors)/\(name)", encoding: .utf8)) ?? ""
    }

    static func json(_ value: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [value], options: [])
        let text = String(decoding: data, as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }

    /// `{"main": "bookstore.thrift", "files": {...}}`, optionally with the main file changed.
    static func thrift(_ transform: (String) -> String = { $0 }) -> String {
        let main = transform(file("bookstore.thrift"))
        return "{\"main\":\"bookstore.thrift\",\"files\":{\"bookstore.thrift\":\(json(main)),"
            + "\"bookstore_common.thrift\":\(json(file("bookstore_common.thrift")))}}"
    }

    static func proto(_ transform: (String) -> String = { $0 }) -> String {
        "{\"main\":\"bookstore.proto\",\"files\":{\"bookstore.proto\":\(json(transform(file("bookstore.proto"))))}}"
    }

    static func descriptorSet() -> String {
        let data = FileManager.default.contents(atPath: "\(Fixtures.descriptors)/bookstore.pb") ?? Data()
        return "{\"descriptor_set\":\"\(data.base64EncodedString())\"}"
    }

    /// A service using registry bundle `name`, as admin JSON.
    static func service(registry name: String, service: String, framing: String = "framed") -> String {
        "{\"schema\":\"registry:\(name)\",\"service\":\"\(service)\",\"framing\":\"\(framing)\","
            + "\"endpoints\":[\"127.0.0.1:9\"],\"timeouts\":{\"rpc\":\"2s\"}}"
    }
}
