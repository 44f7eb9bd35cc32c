#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DescriptorBundle {
    /// The bundle as the stores keep it: JSON with sorted keys, so equal bundles give equal bytes (the etcd store
    /// names bundles by the hash of these bytes).
    func storedJSON() throws(GatewayError) -> [UInt8] {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return [UInt8](try encoder.encode(StoredBundle(self)))
        } catch {
            throw GatewayError(code: "STORE_ERROR", status: 500, "cannot encode the bundle: \(error)")
        }
    }

    /// Reads ``storedJSON()``.
    init(storedJSON bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(StoredBundle.self, from: Data(bytes)).bundle
    }
}

/// The JSON form of a bundle in the store.
struct StoredBundle: Codable {
    var kind: String
    var main: String?
    var files: [String: String]?
    var descriptorSet: Data?

    enum CodingKeys: String, CodingKey {
        case kind, main, files
        case descriptorSet = "descriptor_set"
    }

    init(_ bundle: DescriptorBundle) {
        kind = bundle.kind.rawValue
        main = bundle.main
        files = bundle.files.isEmpty ? nil : bundle.files
        descriptorSet = bundle.descriptorSet.map { Data($0) }
    }

    var bundle: DescriptorBundle {
        get throws {
            switch DescriptorBundle.Kind(rawValue: kind) {
            case .descriptorSet: return DescriptorBundle(descriptorSet: [UInt8](descriptorSet ?? Data()))
            case .proto, .thrift:
                do {
                    return try DescriptorBundle(main: main ?? "", files: files ?? [:])
                } catch {
                    throw error
                }
            case nil: throw GatewayError(code: "STORE_ERROR", status: 500, "unknown bundle kind \(kind)")
            }
        }
    }
}
