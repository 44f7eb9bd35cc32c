import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// Our schema against the Apache Thrift compiler's own description of every file (`thrift --gen json`).
@Suite(.enabled(if: ThriftCompiler.isAvailable, "thrift is not installed"))
struct ThriftParserOracleTests {
    @Test(arguments: ["baseline.thrift", "bookstore.thrift", "bookstore_common.thrift", "test/nested.thrift"])
    func shippedFileMatchesThrift(_ name: String) throws {
        let schema = try ThriftParser.parse(files: [name], source: ThriftFileSource(directories: [Repo.descriptors]))
        try Self.compare(schema, directory: Repo.descriptors)
    }

    /// Each case from memory and from a directory; every file of the case, includes too, is compared.
    @Test(arguments: ThriftParserCases.all)
    func caseMatchesThrift(_ thriftCase: ThriftParserCase) throws {
        let directory = ProtoParserTemporaryDirectory()
        defer { directory.remove() }
        try directory.write(thriftCase.files)
        let fromMemory = try ThriftParser.parse(
            files: thriftCase.roots, source: ThriftFileSource(files: thriftCase.files))
        #expect(Set(fromMemory.files.map(\.name)) == Set(thriftCase.files.keys))
        try Self.compare(fromMemory, directory: directory.path)
        let fromDisk = try ThriftParser.parse(
            files: thriftCase.roots, source: ThriftFileSource(directories: [directory.path]))
        #expect(fromDisk.files.map(\.name) == fromMemory.files.map(\.name))
        try Self.compare(fromDisk, directory: directory.path)
    }

    static func compare(_ schema: ThriftSchema, directory: String) throws {
        for file in schema.files {
            var comparison = ThriftSchemaComparison(schema: schema, file: file)
            comparison.compare(try ThriftCompiler.describe(file.name, in: directory))
            #expect(comparison.differences.isEmpty, "\(comparison.differences.joined(separator: "\n"))")
        }
    }
}
