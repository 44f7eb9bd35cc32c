import DynamicCodec

extension ThriftFixture {
    /// Runs each operation once and checks that it does what the benchmark claims to measure (a benchmark of a call
    /// that fails early, or edits the wrong field, would report a meaningless time). Stops the suite on a mismatch.
    func checkOperations() {
        do {
            try checkReflection()
            try checkDOM()
            try checkConversion()
        } catch {
            fatalError("Thrift benchmark self-check failed on \(size) \(encoding): \(error)")
        }
    }

    private var expectedBinary: ThriftScalar { .binary(Array(0..<16) + Array(0..<16)) }

    private func checkReflection() throws {
        let original = try value()
        try original.validate()
        try require(try original.get(getOne)?.scalar == expectedBinary, "GetOne reads the 32-byte value")
        try require(try original.get(many: getMany).allSatisfy { $0 != nil }, "GetMany finds all three fields")

        let edited = try setOneResult()
        try require(try edited.get(setOne)?.scalar == .i64(42), "SetOne writes the field")
        // Binary i64 is fixed width; compact's zigzag varint of max i64 takes 10 bytes, of 42 one.
        try require(
            edited.bytes.count == bytes.count - (encoding == .compact ? 9 : 0), "SetOne changes only the i64 value")
        try edited.validate()

        var unsetResult = original
        try require(try unsetResult.unset(unset), "Unset removes the field")
        try require(try unsetResult.get(unset) == nil, "Unset leaves the field absent")
        try unsetResult.validate()

        var setManyResult = original
        try setManyResult.set(setMany)
        for assignment in setMany {
            try require(
                try setManyResult.get(assignment.path)?.scalar == assignment.value.scalar,
                "SetMany writes \(assignment.path)")
        }
        try setManyResult.validate()

        if let trimTarget {
            let trimmed = try original.trimmed(to: trimTarget)
            try trimmed.validate()
            try require(trimmed.bytes.count < bytes.count, "Trim drops fields")
            try require(try trimmed.get(getOne)?.scalar == expectedBinary, "Trim keeps the GetOne field")
        }
    }

    private func checkDOM() throws {
        var dom = ThriftDOM(schema: schema, encoding: encoding)
        try dom.load(bytes, as: descriptor)
        try require(dom.marshal() == bytes, "DOM marshal without edits gives the input back")
        // A second load into the same DOM (what the DOMLoad benchmark measures) must behave like the first.
        try dom.load(bytes, as: descriptor)
        let node = try dom.node(at: domEdit)
        try require(try dom.value(of: node).scalar == .i64(.max), "the DOM edit targets the SetOne field")
        try dom.setValue(.i64(42), at: node)
        try require(dom.marshal() == (try setOneResult()).bytes, "DOM marshal after the edit equals SetOne's bytes")
    }

    private func checkConversion() throws {
        let converted = try ThriftTranscoder.convert(
            bytes, from: encoding, to: otherEncoding, type: descriptor, schema: schema)
        try require(converted == otherBytes, "conversion gives Apache Thrift's \(otherEncoding) encoding")
    }

    private func setOneResult() throws -> ThriftValue {
        var edited = try value()
        try edited.set(setOne, to: .scalar(.i64(42)))
        return edited
    }

    private func require(_ condition: Bool, _ claim: String) throws {
        if !condition { throw CodecError(.invalidValue, "not true: \(claim)") }
    }
}
