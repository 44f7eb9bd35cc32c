import DynamicCodec

/// `.thrift` text, as the file `fuzz.thrift` beside a small `dep.thrift` it may include.
///
/// Invariant: in a schema that loads, every struct's zero value (`{}` read with every write option: IDL defaults
/// and required fields filled in) is well-formed Thrift that converts back to JSON, in both protocols; services'
/// inherited methods can be listed.
enum ThriftIDLCheck {
    static let dependency = """
        namespace go dep
        enum E { A = 1, B = 2 }
        struct D { 1: required i32 x = 7; 2: optional list<D> more; 3: E e = E.B }
        service Base { D get(1: i32 id) }
        """

    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let source = ThriftFileSource(files: ["fuzz.thrift": String(decoding: input, as: UTF8.self), "dep.thrift": dependency])
        guard let schema = try? ThriftSchema(thriftFiles: ["fuzz.thrift"], source: source) else { return }
        for service in schema.services {
            _ = schema.allMethods(of: service)
        }
        let options = ThriftJSONOptions(writeDefault: true, writeRequired: true, writeOptional: true)
        for type in schema.structs.prefix(16) {
            try require(schema.structType(named: type.name) != nil, "struct \(type.name) not found by name")
            for encoding in ThriftProtocol.allCases {
                guard
                    let bytes = try? ThriftJSON.decode(
                        Array("{}".utf8), as: type, schema: schema, encoding: encoding, options: options)
                else { continue }
                do {
                    try ThriftValue(bytes: bytes, encoding: encoding, descriptor: type, schema: schema).validate()
                    _ = try ThriftJSON.encode(bytes, as: type, schema: schema, encoding: encoding, options: options)
                } catch {
                    throw FuzzInvariantViolation(
                        "\(type.name) in \(encoding): the zero value \(hex(bytes)) does not read back: \(error)")
                }
            }
        }
    }
}
