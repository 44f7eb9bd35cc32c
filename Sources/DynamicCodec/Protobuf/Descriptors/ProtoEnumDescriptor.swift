/// An enum type. Immutable.
public final class ProtoEnumDescriptor: Sendable, CustomStringConvertible {
    public struct Value: Sendable, Hashable {
        public let name: String
        public let number: Int32
        /// The value's doc comment from the IDL, if any.
        public let documentation: String?

        init(name: String, number: Int32, documentation: String? = nil) {
            self.name = name
            self.number = number
            self.documentation = documentation
        }
    }

    public let fullName: String
    public let name: String
    public let fileName: String
    /// Values in declaration order (aliases included).
    public let values: [Value]
    /// Closed enums (proto2) treat unknown numbers as unknown fields; open enums (proto3) keep them.
    public let isClosed: Bool
    public let index: Int
    /// The doc comment from the IDL (`.proto` source, or `SourceCodeInfo` of a descriptor set compiled with
    /// `--include_source_info`), if any. Only for people and documents; no codec path reads it.
    public let documentation: String?

    private let byName: [String: Int32]
    /// Canonical names, quoted, by number: what the JSON writer emits.
    private let quotedNames: [Int32: [UInt8]]
    private let byNumber: [Int32: Int]

    init(
        fullName: String, name: String, fileName: String, values: [Value], isClosed: Bool, index: Int,
        documentation: String? = nil
    ) {
        self.documentation = documentation
        self.fullName = fullName
        self.name = name
        self.fileName = fileName
        self.values = values
        self.isClosed = isClosed
        self.index = index
        var names: [String: Int32] = [:]
        var numbers: [Int32: Int] = [:]
        for (position, value) in values.enumerated() {
            names[value.name] = value.number
            // With aliases, the first name declared for a number is its canonical name.
            if numbers[value.number] == nil { numbers[value.number] = position }
        }
        byName = names
        byNumber = numbers
        quotedNames = numbers.mapValues { Array("\"\(values[$0].name)\"".utf8) }
    }

    /// The number of the value with this name.
    public func number(named name: String) -> Int32? { byName[name] }

    /// The canonical (first declared) name of this number.
    public func name(of number: Int32) -> String? { byNumber[number].map { values[$0].name } }

    func quotedName(of number: Int32) -> [UInt8]? { quotedNames[number] }

    /// The first declared value: the default of an enum field.
    public var defaultNumber: Int32 { values.first?.number ?? 0 }

    public var description: String { "enum \(fullName)" }
}
