/// One `option name = value` assignment as written, before it is interpreted against the options message.
///
/// This mirrors protoc's `UninterpretedOption`: the value keeps the form it was written in, because its meaning
/// depends on the type of the option field, which is only known once every file is loaded.
struct ProtoOptionStatement: Sendable {
    struct NamePart: Sendable {
        /// A field name, or for an extension the (possibly dotted, possibly leading-dot) name inside parentheses.
        var name: String
        var isExtension: Bool
        var location: SourceLocation
    }

    enum Value: Sendable {
        case identifier(String)
        case positiveInteger(UInt64)
        case negativeInteger(Int64)
        case double(Double)
        case string([UInt8])
        /// The tokens between the braces of a `{ ... }` text-format value.
        case aggregate([ProtoToken])
    }

    var name: [NamePart]
    var value: Value
    var valueLocation: SourceLocation

    var location: SourceLocation { name[0].location }

    /// The name as it reads in source, e.g. `(google.api.http).get`.
    var displayName: String {
        var text = ""
        for (index, part) in name.enumerated() {
            if index > 0 { text += "." }
            text += part.isExtension ? "(\(part.name))" : part.name
        }
        return text
    }

    /// True for a plain `name = true` assignment of a standard boolean option.
    func isStandard(_ option: String, setTo value: String) -> Bool {
        guard name.count == 1, !name[0].isExtension, name[0].name == option else { return false }
        if case .identifier(let identifier) = self.value { return identifier == value }
        return false
    }
}
