#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A message type: its fields with lookup tables precomputed for the hot paths. Immutable.
public final class ProtoMessageDescriptor: Sendable, CustomStringConvertible {
    /// Fully qualified name without leading dot, e.g. `bookstore.v1.Book`.
    public let fullName: String
    public let name: String
    /// The file that declares this type.
    public let fileName: String
    public let syntax: ProtoSyntax
    /// Fields in declaration order.
    public let fields: [ProtoFieldDescriptor]
    public let oneofs: [ProtoOneofDescriptor]
    /// Whether this is the synthesized entry type of a map field.
    public let isMapEntry: Bool
    /// Position in ``ProtoSchema/messages``.
    public let index: Int
    /// Numbers of required fields (proto2), for checks after trimming.
    public let requiredFieldNumbers: [Int]
    public let reservedRanges: [ClosedRange<Int>]
    public let reservedNames: [String]
    public let extensionRanges: [ClosedRange<Int>]
    /// The doc comment from the IDL (`.proto` source, or `SourceCodeInfo` of a descriptor set compiled with
    /// `--include_source_info`), if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    /// Field index + 1 by field number, for numbers below `denseLimit`; 0 means no field.
    private let denseByNumber: [Int32]
    private let sparseByNumber: [Int: Int]
    private let byName: [String: Int]
    private let byJSONName: [String: Int]

    init(
        fullName: String, name: String, fileName: String, syntax: ProtoSyntax, fields: [ProtoFieldDescriptor],
        oneofs: [ProtoOneofDescriptor], isMapEntry: Bool, index: Int, reservedRanges: [ClosedRange<Int>],
        reservedNames: [String], extensionRanges: [ClosedRange<Int>], documentation: String? = nil
    ) {
        self.documentation = documentation
        self.fullName = fullName
        self.name = name
        self.fileName = fileName
        self.syntax = syntax
        self.fields = fields
        self.oneofs = oneofs
        self.isMapEntry = isMapEntry
        self.index = index
        self.reservedRanges = reservedRanges
        self.reservedNames = reservedNames
        self.extensionRanges = extensionRanges
        requiredFieldNumbers = fields.filter { $0.cardinality == .required }.map(\.number)

        let maxNumber = fields.map(\.number).max() ?? 0
        // A dense table when numbers are small relative to the field count (the usual case).
        let denseLimit = maxNumber <= max(64, fields.count * 4) ? maxNumber + 1 : 0
        var dense = [Int32](repeating: 0, count: denseLimit)
        var sparse: [Int: Int] = [:]
        var names: [String: Int] = [:]
        var jsonNames: [String: Int] = [:]
        for (position, field) in fields.enumerated() {
            if field.number < denseLimit {
                dense[field.number] = Int32(position + 1)
            } else {
                sparse[field.number] = position
            }
            names[field.name] = position
            jsonNames[field.jsonName] = position
        }
        denseByNumber = dense
        sparseByNumber = sparse
        byName = names
        byJSONName = jsonNames
    }

    /// The field with this number, or nil (an unknown field).
    @inline(__always)
    public func field(number: Int) -> ProtoFieldDescriptor? {
        if number < denseByNumber.count {
            let position = Int(denseByNumber[number])
            return position == 0 ? nil : fields[position - 1]
        }
        guard let position = sparseByNumber[number] else { return nil }
        return fields[position]
    }

    /// The position of the field with this number in ``fields``, or -1.
    @inline(__always)
    func fieldPosition(number: Int) -> Int {
        if number < denseByNumber.count { return Int(denseByNumber[number]) - 1 }
        return sparseByNumber[number] ?? -1
    }

    /// The field with this `.proto` name.
    public func field(named name: String) -> ProtoFieldDescriptor? {
        byName[name].map { fields[$0] }
    }

    /// The field whose JSON name or `.proto` name is the UTF-8 text `key`, without building a String.
    func field(key: UnsafeRawBufferPointer) -> ProtoFieldDescriptor? {
        let count = key.count
        for field in fields {
            if field.jsonKey.count == count + 3, field.jsonKey.withUnsafeBytes({ equal($0, key, offset: 1) }) {
                return field
            }
        }
        for field in fields where field.protoKey.count == count + 3 {
            if field.protoKey.withUnsafeBytes({ equal($0, key, offset: 1) }) { return field }
        }
        return nil
    }

    private func equal(_ quoted: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer, offset: Int) -> Bool {
        guard let keyBase = key.baseAddress else { return key.isEmpty }
        return memcmp(quoted.baseAddress! + offset, keyBase, key.count) == 0
    }

    /// The field with this JSON name (lowerCamelCase or the declared `json_name`).
    public func field(jsonName: String) -> ProtoFieldDescriptor? {
        byJSONName[jsonName].map { fields[$0] }
    }

    public var description: String { "message \(fullName)" }
}

/// A oneof: a set of fields of which at most one is set.
public struct ProtoOneofDescriptor: Sendable, Hashable {
    public let name: String
    /// Numbers of the member fields.
    public let fieldNumbers: [Int]
    /// Whether this is the synthetic oneof of a proto3 `optional` field.
    public let isSynthetic: Bool
}
