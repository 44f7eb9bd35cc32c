/// A field of a struct, union, exception, or method argument/result struct. Immutable.
public final class ThriftFieldDescriptor: Sendable, CustomStringConvertible {
    public let id: Int16
    public let name: String
    public let type: ThriftType
    public let requiredness: ThriftRequiredness
    public let defaultValue: ThriftConstValue?
    public let annotations: ThriftAnnotations
    /// The type as written in the IDL (typedef names kept), for messages and documentation.
    public let declaredTypeName: String
    /// The doc comment from the IDL, if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    public init(
        id: Int16, name: String, type: ThriftType, requiredness: ThriftRequiredness,
        defaultValue: ThriftConstValue? = nil, annotations: ThriftAnnotations = ThriftAnnotations(),
        declaredTypeName: String, documentation: String? = nil
    ) {
        self.documentation = documentation
        self.id = id
        self.name = name
        self.type = type
        self.requiredness = requiredness
        self.defaultValue = defaultValue
        self.annotations = annotations
        self.declaredTypeName = declaredTypeName
    }

    public var description: String {
        let prefix: String =
            switch requiredness {
            case .required: "required "
            case .optional: "optional "
            case .default: ""
            }
        return "\(id): \(prefix)\(declaredTypeName) \(name)"
    }
}

/// A struct, union or exception, with lookup tables for the hot paths. Immutable.
public final class ThriftStructDescriptor: Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case `struct`
        case union
        case exception
    }

    /// `Name` qualified by its file's scope name (the file name without directories and extension), for the main
    /// files too: `bookstore.Book`, `bookstore_common.Shelf`; method argument and result structs are
    /// `bookstore.Bookstore.GetBook_args` and `bookstore.Bookstore.GetBook_result`.
    public let name: String
    public let kind: Kind
    public let fields: [ThriftFieldDescriptor]
    public let annotations: ThriftAnnotations
    /// Position in ``ThriftSchema/structs``.
    public let index: Int
    public let fileName: String
    /// The doc comment from the IDL, if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    private let denseById: [Int32]
    private let sparseById: [Int16: Int]
    private let byName: [String: Int]
    /// Ids of required fields, for checks after decoding and trimming.
    public let requiredFieldIds: [Int16]

    public init(
        name: String, kind: Kind, fields: [ThriftFieldDescriptor], annotations: ThriftAnnotations = ThriftAnnotations(),
        index: Int, fileName: String, documentation: String? = nil
    ) {
        self.documentation = documentation
        self.name = name
        self.kind = kind
        self.fields = fields
        self.annotations = annotations
        self.index = index
        self.fileName = fileName
        requiredFieldIds = fields.filter { $0.requiredness == .required }.map(\.id)
        let maxId = Int(fields.map(\.id).filter { $0 >= 0 }.max() ?? 0)
        let denseLimit = maxId <= max(64, fields.count * 4) ? maxId + 1 : 0
        var dense = [Int32](repeating: 0, count: denseLimit)
        var sparse: [Int16: Int] = [:]
        var names: [String: Int] = [:]
        for (position, field) in fields.enumerated() {
            if field.id >= 0 && Int(field.id) < denseLimit {
                dense[Int(field.id)] = Int32(position + 1)
            } else {
                sparse[field.id] = position
            }
            names[field.name] = position
        }
        denseById = dense
        sparseById = sparse
        byName = names
    }

    /// The position in ``fields`` of the field with this id, or -1.
    @inline(__always)
    public func fieldPosition(id: Int16) -> Int {
        if id >= 0 && Int(id) < denseById.count { return Int(denseById[Int(id)]) - 1 }
        return sparseById[id] ?? -1
    }

    @inline(__always)
    public func field(id: Int16) -> ThriftFieldDescriptor? {
        let position = fieldPosition(id: id)
        return position >= 0 ? fields[position] : nil
    }

    public func field(named name: String) -> ThriftFieldDescriptor? { byName[name].map { fields[$0] } }

    public var description: String { "\(kind) \(name)" }
}

/// An enum; its values travel as i32.
public final class ThriftEnumDescriptor: Sendable, CustomStringConvertible {
    public let name: String
    public let values: [(name: String, value: Int32)]
    public let annotations: ThriftAnnotations
    /// Annotations of each value, parallel to ``values``.
    public let valueAnnotations: [ThriftAnnotations]
    public let index: Int
    /// The doc comment from the IDL, if any. Only for people and documents; no codec path reads it.
    public let documentation: String?
    /// The doc comment of each value, parallel to ``values``.
    public let valueDocumentation: [String?]
    private let byName: [String: Int32]
    private let byValue: [Int32: String]

    public init(
        name: String, values: [(name: String, value: Int32)], annotations: ThriftAnnotations = ThriftAnnotations(),
        index: Int, valueAnnotations: [ThriftAnnotations] = [], documentation: String? = nil,
        valueDocumentation: [String?] = []
    ) {
        self.documentation = documentation
        self.valueDocumentation =
            valueDocumentation.count == values.count ? valueDocumentation : Array(repeating: nil, count: values.count)
        self.name = name
        self.values = values
        self.annotations = annotations
        self.index = index
        self.valueAnnotations =
            valueAnnotations.count == values.count
            ? valueAnnotations : Array(repeating: ThriftAnnotations(), count: values.count)
        byName = Dictionary(values.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        byValue = Dictionary(values.map { ($0.value, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    public func value(named name: String) -> Int32? { byName[name] }
    public func name(of value: Int32) -> String? { byValue[value] }
    public var description: String { "enum \(name)" }
}
