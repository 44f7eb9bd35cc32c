/// Parses Thrift IDL into a ``ThriftSchema``, without needing the Thrift compiler.
///
/// Every struct, union, exception, enum, typedef, constant and service is named with the scope name of its file
/// (the file name without directories and extension): `bookstore.Book`, `bookstore_common.Shelf`, as Thrift scopes
/// includes. Each method gets an argument struct `Service.method_args` and a result struct `Service.method_result`
/// (field 0 `success` unless the method returns void, then the declared exceptions with their ids), the structs
/// Thrift puts on the wire.
public enum ThriftParser {
    /// Parses the named files and everything they include.
    ///
    /// Throws ``CodecError`` with code `syntaxError`, `schemaError` or `importNotFound` and the file, line and column
    /// of the first problem found.
    public static func parse(files: [String], source: ThriftFileSource) throws(CodecError) -> ThriftSchema {
        var resolver = ThriftIncludeResolver(source: source)
        for name in files {
            try resolver.load(name, includedFrom: nil, at: nil)
        }
        return try ThriftSchemaBuilder.build(resolver.ordered)
    }
}

extension ThriftSchema {
    /// Parses the named `.thrift` files and everything they include; see ``ThriftParser/parse(files:source:)``.
    public convenience init(thriftFiles: [String], source: ThriftFileSource) throws(CodecError) {
        let schema = try ThriftParser.parse(files: thriftFiles, source: source)
        self.init(
            structs: schema.structs, enums: schema.enums, services: schema.services, typedefs: schema.typedefs,
            constants: schema.constants, files: schema.files)
    }
}
