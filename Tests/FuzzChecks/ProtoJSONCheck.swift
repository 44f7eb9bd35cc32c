import DynamicCodec

/// proto3 JSON -> Protobuf binary against a message type of `FuzzSchemas.protoMessages` (selector byte: type in
/// the low nibble, options in the high one).
///
/// Invariant: JSON -> binary -> JSON -> binary is stable: the binary of accepted JSON converts to JSON, that JSON
/// converts back, and from there both are fixed points.
enum ProtoJSONCheck {
    static func run(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        let (selector, json) = input.selectorAndPayload
        let schema = FuzzSchemas.proto
        let type = FuzzSchemas.protoMessages[(selector & 0x0F) % FuzzSchemas.protoMessages.count]
        let flags = selector >> 4
        let options = ProtoJSONOptions(
            emitDefaults: flags & 1 != 0, useProtoNames: flags & 2 != 0, enumsAsInts: flags & 4 != 0,
            ignoreUnknownFields: flags & 8 != 0)
        guard let binary = try? ProtoJSON.decode(json, as: type, schema: schema, options: options) else { return }
        let written: [UInt8]
        do {
            written = try ProtoJSON.encode(binary, as: type, schema: schema, options: options)
        } catch {
            throw FuzzInvariantViolation(
                "\(type.fullName): binary from accepted JSON does not convert back: \(error)\n"
                    + "json: \(text(json))\nbinary: \(hex(binary))")
        }
        try roundTrip(json: written, type: type, schema: schema, options: options, origin: text(json))
    }

    /// Checks that JSON the codec wrote reads back, and that JSON -> binary -> JSON from there is a fixed point.
    static func roundTrip(
        json: [UInt8], type: ProtoMessageDescriptor, schema: ProtoSchema, options: ProtoJSONOptions, origin: String
    ) throws(FuzzInvariantViolation) {
        let context = "\(type.fullName) (input \(origin))"
        do {
            let binary = try ProtoJSON.decode(json, as: type, schema: schema, options: options)
            let jsonAgain = try ProtoJSON.encode(binary, as: type, schema: schema, options: options)
            try require(
                jsonAgain == json, "\(context): JSON not stable:\n\(text(json))\n-> \(text(jsonAgain))")
            let binaryAgain = try ProtoJSON.decode(jsonAgain, as: type, schema: schema, options: options)
            try require(
                binaryAgain == binary, "\(context): binary not stable: \(hex(binary)) -> \(hex(binaryAgain))")
        } catch let error as CodecError {
            throw FuzzInvariantViolation("\(context): JSON the codec wrote does not round-trip: \(error)\n\(text(json))")
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation("\(context): \(error)")
        }
    }
}
