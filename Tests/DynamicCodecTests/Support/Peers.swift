import Foundation
import Testing
import PorticoTestSupport

@testable import DynamicCodec

/// Schemas of the shipped descriptors, loaded once from the compiled descriptor sets.
enum Schemas {
    static let baseline: ProtoSchema = try! ProtoSchema(
        descriptorSet: Protoc.descriptorSet("baseline.proto"))
    static let rich: ProtoSchema = try! ProtoSchema(descriptorSet: Protoc.descriptorSet("test/rich.proto"))
    static let rich2: ProtoSchema = try! ProtoSchema(descriptorSet: Protoc.descriptorSet("test/rich2.proto"))
}
