import Foundation

@testable import DynamicCodec

/// The Apache Thrift compiler as an oracle: `thrift --gen json` describes each file it compiles (structs with field
/// ids, names, requiredness, types and defaults; enums; typedefs; constants; services with arguments and
/// exceptions), which ``ThriftSchemaComparison`` compares with a ``ThriftSchema``.
enum ThriftCompiler {
    static let path: String? = ["/usr/bin/thrift", "/usr/local/bin/thrift"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static var isAvailable: Bool { path != nil }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `thrift --gen json -I directory` of `file` (a path relative to `directory`), decoded.
    static func describe(_ file: String, in directory: String) throws -> [String: Any] {
        guard let path else { throw Failure(description: "thrift is not installed") }
        let output = ProtoParserTemporaryDirectory()
        defer { output.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--gen", "json", "-I", directory, "-o", output.path, directory + "/" + file]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "thrift failed on \(file): " + String(decoding: message, as: UTF8.self))
        }
        let json = output.path + "/gen-json/" + ThriftParsedFile.scopeName(of: file) + ".json"
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "thrift wrote no JSON object for \(file)")
        }
        return object
    }
}

/// Compares one file's description by the Thrift compiler with the part of a ``ThriftSchema`` that file declares,
/// collecting every difference.
struct ThriftSchemaComparison {
    let schema: ThriftSchema
    let file: ThriftFile
    let scope: String
    private(set) var differences: [String] = []

    init(schema: ThriftSchema, file: ThriftFile) {
        self.schema = schema
        self.file = file
        self.scope = ThriftParsedFile.scopeName(of: file.name)
    }

    /// The value JSON and our schema are compared in: numbers as text (integral doubles as integers, like the
    /// compiler writes them), maps with their keys as text.
    indirect enum Canonical: Equatable, CustomStringConvertible {
        case number(String)
        case string(String)
        case list([Canonical])
        case map([String: Canonical])

        var description: String {
            switch self {
            case .number(let text): text
            case .string(let text): "\"\(text)\""
            case .list(let items): "[\(items.map(\.description).joined(separator: ", "))]"
            case .map(let entries):
                "{\(entries.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))}"
            }
        }

        var key: String {
            switch self {
            case .number(let text), .string(let text): text
            default: description
            }
        }

        static func number(_ value: Double) -> Canonical {
            if value == value.rounded(), abs(value) < 9.2e18 { return .number(String(Int64(value))) }
            return .number("\(value)")
        }

        init(json: Any) {
            switch json {
            case let text as String: self = .string(text)
            case let items as [Any]: self = .list(items.map(Canonical.init(json:)))
            case let entries as [String: Any]: self = .map(entries.mapValues(Canonical.init(json:)))
            case let number as NSNumber:
                if let integer = number as? Int64 {
                    self = .number(String(integer))
                } else {
                    self = Canonical.number(number.doubleValue)
                }
            default: self = .string("\(json)")
            }
        }

        init(_ value: ThriftConstValue) {
            switch value {
            case .integer(let integer): self = .number(String(integer))
            case .double(let double): self = Canonical.number(double)
            case .bool(let bool): self = .number(bool ? "1" : "0")
            case .string(let text): self = .string(text)
            case .identifier(let name): self = .string("<unresolved \(name)>")
            case .list(let items): self = .list(items.map(Canonical.init))
            case .map(let entries):
                self = .map(Dictionary(entries.map { (Canonical($0.key).key, Canonical($0.value)) }) { $1 })
            }
        }
    }

    mutating func compare(_ json: [String: Any]) {
        check(
            (json["namespaces"] as? [String: String]) ?? [:] == file.namespaces, "namespaces",
            "\(json["namespaces"] ?? "-") vs \(file.namespaces)")
        check(
            (json["includes"] as? [String]) ?? [] == file.includes.map(ThriftParsedFile.scopeName(of:)), "includes",
            "\(json["includes"] ?? "-") vs \(file.includes)")
        let synthesized = Set(
            schema.services.flatMap { $0.methods.flatMap { [$0.argumentsIndex, $0.resultIndex] } })
        let ownStructs = schema.structs.filter { $0.fileName == file.name && !synthesized.contains($0.index) }
        let ownEnums = schema.enums.filter { owned($0.name) }
        let ownServices = schema.services.filter { owned($0.name) }
        let structs = objects(json["structs"])
        let enums = objects(json["enums"])
        let services = objects(json["services"])
        let typedefs = objects(json["typedefs"])
        let constants = objects(json["constants"])
        check(
            ownStructs.map(\.name) == structs.map { qualify($0["name"]) }, "struct names", "\(ownStructs.map(\.name))")
        check(ownEnums.map(\.name) == enums.map { qualify($0["name"]) }, "enum names", "\(ownEnums.map(\.name))")
        check(
            ownServices.map(\.name) == services.map { qualify($0["name"]) }, "service names",
            "\(ownServices.map(\.name))")
        check(
            Set(schema.typedefs.keys.filter(owned)) == Set(typedefs.map { qualify($0["name"]) }), "typedef names", "")
        check(
            Set(schema.constants.keys.filter(owned)) == Set(constants.map { qualify($0["name"]) }), "constant names", ""
        )
        for object in structs { compareStruct(object) }
        for object in enums { compareEnum(object) }
        for object in typedefs {
            let name = qualify(object["name"])
            let ours = schema.typedefs[name].map(describe) ?? "missing"
            check(ours == type(object), "typedef \(name)", "\(ours) vs \(type(object))")
        }
        for object in constants {
            let name = qualify(object["name"])
            let ours = schema.constants[name].map(Canonical.init)
            check(
                ours == object["value"].map(Canonical.init(json:)), "constant \(name)",
                "\(ours.map(\.description) ?? "missing") vs \(object["value"] ?? "-")")
        }
        for object in services { compareService(object) }
    }

    private mutating func compareStruct(_ object: [String: Any]) {
        let name = qualify(object["name"])
        guard let ours = schema.structType(named: name) else { return record("struct \(name) is missing") }
        let kind: ThriftStructDescriptor.Kind =
            object["isException"] as? Bool == true ? .exception : object["isUnion"] as? Bool == true ? .union : .struct
        check(ours.kind == kind, "kind of \(name)", "\(ours.kind) vs \(kind)")
        compareAnnotations(ours.annotations, object["annotations"], "annotations of \(name)")
        compareFields(ours.fields, objects(object["fields"]), in: name)
    }

    private mutating func compareFields(_ ours: [ThriftFieldDescriptor], _ theirs: [[String: Any]], in owner: String) {
        check(ours.count == theirs.count, "field count of \(owner)", "\(ours.count) vs \(theirs.count)")
        for (field, object) in zip(ours, theirs) {
            let path = "\(owner).\(field.name)"
            check(Int(field.id) == object["key"] as? Int, "id of \(path)", "\(field.id) vs \(object["key"] ?? "-")")
            check(field.name == object["name"] as? String, "name of \(path)", "vs \(object["name"] ?? "-")")
            check(describe(field.type) == type(object), "type of \(path)", "\(describe(field.type)) vs \(type(object))")
            let requiredness: String =
                switch field.requiredness {
                case .required: "required"
                case .optional: "optional"
                case .default: "req_out"
                }
            check(
                requiredness == object["required"] as? String, "requiredness of \(path)",
                "\(requiredness) vs \(object["required"] ?? "-")")
            let ours = field.defaultValue.map(Canonical.init)
            let theirs = object["default"].map(Canonical.init(json:))
            check(
                ours == theirs, "default of \(path)",
                "\(ours.map(\.description) ?? "none") vs \(theirs.map(\.description) ?? "none")")
            compareAnnotations(field.annotations, object["annotations"], "annotations of \(path)")
        }
    }

    private mutating func compareEnum(_ object: [String: Any]) {
        let name = qualify(object["name"])
        guard let ours = schema.enumType(named: name) else { return record("enum \(name) is missing") }
        let theirs = objects(object["members"]).map { "\($0["name"] ?? "")=\($0["value"] ?? "")" }
        let values = ours.values.map { "\($0.name)=\($0.value)" }
        check(values == theirs, "values of \(name)", "\(values) vs \(theirs)")
        compareAnnotations(ours.annotations, object["annotations"], "annotations of \(name)")
    }

    private mutating func compareService(_ object: [String: Any]) {
        let name = qualify(object["name"])
        guard let ours = schema.service(named: name) else { return record("service \(name) is missing") }
        let extends = ours.extendsIndex.map { schema.services[$0].name }
        check(extends == (object["extends"] as? String).map(qualify), "extends of \(name)", "\(extends ?? "none")")
        compareAnnotations(ours.annotations, object["annotations"], "annotations of \(name)")
        let functions = objects(object["functions"])
        check(ours.methods.map(\.name) == functions.map { $0["name"] as? String ?? "" }, "methods of \(name)", "")
        for (method, function) in zip(ours.methods, functions) {
            let path = "\(name).\(method.name)"
            check(method.isOneway == function["oneway"] as? Bool, "oneway of \(path)", "")
            let returnType = method.returnType.map(describe) ?? "void"
            let theirs = type(function, id: "returnTypeId", nested: "returnType")
            check(returnType == theirs, "return type of \(path)", "\(returnType) vs \(theirs)")
            compareAnnotations(method.annotations, function["annotations"], "annotations of \(path)")
            let arguments = schema.structs[method.argumentsIndex]
            check(arguments.name == path + "_args", "arguments struct of \(path)", arguments.name)
            compareFields(arguments.fields, objects(function["arguments"]), in: arguments.name)
            let result = schema.structs[method.resultIndex]
            check(result.name == path + "_result", "result struct of \(path)", result.name)
            let exceptions = objects(function["exceptions"])
            check(
                method.exceptionIds.map(Int.init) == exceptions.map { $0["key"] as? Int ?? 0 },
                "exception ids of \(path)", "\(method.exceptionIds)")
            compareFields(result.fields.filter { $0.id != 0 }, exceptions, in: result.name)
            let success = result.field(id: 0)
            check(success.map { describe($0.type) } == method.returnType.map(describe), "success of \(path)", "")
            check(
                success.map { $0.name == "success" && $0.requiredness == .default } ?? true, "success field of \(path)",
                "")
        }
    }

    private mutating func compareAnnotations(_ ours: ThriftAnnotations, _ json: Any?, _ what: String) {
        let theirs = (json as? [String: String]) ?? [:]
        var mine: [String: String] = [:]
        for pair in ours.pairs { mine[pair.key] = pair.value }
        check(mine == theirs, what, "\(mine) vs \(theirs)")
    }

    // MARK: Types

    /// A type in the compiler's vocabulary: enums are `i32`, structs are `struct(name)`, `union(name)` or
    /// `exception(name)`.
    func describe(_ type: ThriftType) -> String {
        switch type {
        case .bool: "bool"
        case .byte: "i8"
        case .i16: "i16"
        case .i32, .enum: "i32"
        case .i64: "i64"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .uuid: "uuid"
        case .struct(let index):
            switch schema.structs[index].kind {
            case .struct: "struct(\(schema.structs[index].name))"
            case .union: "union(\(schema.structs[index].name))"
            case .exception: "exception(\(schema.structs[index].name))"
            }
        case .list(let element): "list<\(describe(element))>"
        case .set(let element): "set<\(describe(element))>"
        case .map(let key, let value): "map<\(describe(key)), \(describe(value))>"
        }
    }

    /// The type of a JSON field, typedef or constant: `typeId` plus the nested `type` object for complex types.
    func type(_ object: [String: Any], id: String = "typeId", nested: String = "type") -> String {
        let typeId = object[id] as? String ?? "?"
        let details = object[nested] as? [String: Any] ?? [:]
        switch typeId {
        case "struct", "union", "exception": return "\(typeId)(\(qualify(details["class"])))"
        case "list", "set": return "\(typeId)<\(type(details, id: "elemTypeId", nested: "elemType"))>"
        case "map":
            return "map<\(type(details, id: "keyTypeId", nested: "keyType")), "
                + "\(type(details, id: "valueTypeId", nested: "valueType"))>"
        default: return typeId
        }
    }

    // MARK: Helpers

    /// The compiler writes names of the file's own definitions bare and included ones with their prefix.
    func qualify(_ name: Any?) -> String {
        let text = name as? String ?? ""
        let prefix = text.split(separator: ".").first.map(String.init) ?? ""
        return file.includes.map(ThriftParsedFile.scopeName(of:)).contains(prefix) && text.contains(".")
            ? text : scope + "." + text
    }

    private func owned(_ qualifiedName: String) -> Bool {
        qualifiedName.hasPrefix(scope + ".") && !qualifiedName.dropFirst(scope.count + 1).contains(".")
    }

    private func objects(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }

    private mutating func check(_ condition: Bool, _ what: String, _ detail: String) {
        if !condition { record("\(what) differs: \(detail)") }
    }

    private mutating func record(_ difference: String) {
        differences.append("\(file.name): \(difference)")
    }
}
