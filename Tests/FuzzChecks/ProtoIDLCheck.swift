import DynamicCodec

/// `.proto` text, as the file `fuzz.proto` beside a small `dep.proto` it may import (the bundled
/// `google/protobuf/*.proto` and `google/api/*.proto` resolve too).
///
/// Invariant: a schema that links writes a descriptor set that loads back into a schema writing the same set, and
/// every message and service of it can be looked up by name.
enum ProtoIDLCheck {
    static let dependency = """
        syntax = "proto3";
        package dep;
        message D { int32 x = 1; map<string, D> children = 2; }
        enum E { E0 = 0; E1 = 1; }
        """

    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let source = ProtoFileSource(files: ["fuzz.proto": String(decoding: input, as: UTF8.self), "dep.proto": dependency])
        guard let schema = try? ProtoSchema(protoFiles: ["fuzz.proto"], source: source) else { return }
        for message in schema.messages {
            try require(schema.message(named: message.fullName) === message, "message \(message.fullName) not found by name")
        }
        for service in schema.services {
            try require(schema.service(named: service.fullName) != nil, "service \(service.fullName) not found by name")
        }
        do {
            let set = try schema.descriptorSetBytes()
            let reloaded = try ProtoSchema(descriptorSet: set)
            let setAgain = try reloaded.descriptorSetBytes()
            try require(setAgain == set, "descriptor set not stable: \(hex(set)) -> \(hex(setAgain))")
            try require(
                reloaded.messages.map(\.fullName) == schema.messages.map(\.fullName),
                "reloaded schema has other messages")
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation("the descriptor set of a linked schema does not load back: \(error)")
        }
    }
}
