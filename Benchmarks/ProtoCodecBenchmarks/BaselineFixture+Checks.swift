import DynamicCodec

extension BaselineFixture {
    /// Runs each operation once and checks that it does what the benchmark claims to measure (a benchmark of a call
    /// that fails early, or edits the wrong field, would report a meaningless time). Stops the suite on a mismatch.
    func checkOperations() {
        do {
            try checkPortico()
        } catch {
            fatalError("benchmark self-check failed on \(size): \(error)")
        }
    }

    private func checkPortico() throws {
        let expectedBinary = Array(0..<16) + Array(0..<16) as [UInt8]
        let original = try value()
        try original.validate()
        try require(try original.get(getOne)?.scalar == .bytes(expectedBinary), "GetOne reads the 32-byte value")
        try require(try original.get(many: getMany).allSatisfy { $0 != nil }, "GetMany finds all three fields")

        var setOneResult = original
        try setOneResult.set(setOne, to: .scalar(.int64(42)))
        try require(try setOneResult.get(setOne)?.scalar == .int64(42), "SetOne writes the field")
        try require(setOneResult.bytes.count == bytes.count - 8, "SetOne shrinks a 9-byte varint to 1 byte")

        var dom = ProtoDOM(schema: schema)
        try dom.load(bytes, as: descriptor)
        let node = try dom.node(at: domEdit)
        try require(try dom.value(of: node).scalar == .int64(.max), "the DOM edit targets the SetOne field")
        try dom.setValue(.int64(42), at: node)
        try require(dom.marshal() == setOneResult.bytes, "DOM marshal after the edit equals SetOne's bytes")

        var unsetResult = original
        try require(try unsetResult.unset(unset), "Unset removes the field")
        try require(try unsetResult.get(unset) == nil, "Unset leaves the field absent")

        var setManyResult = original
        try setManyResult.set(setMany)
        for assignment in setMany {
            try require(
                try setManyResult.get(assignment.path)?.scalar == assignment.value.scalar,
                "SetMany writes \(assignment.path)")
        }

        if let trimTarget {
            let trimmed = try original.trimmed(to: trimTarget)
            try trimmed.validate()
            try require(trimmed.bytes.count < bytes.count, "Trim drops fields")
        }
    }

    private func require(_ condition: Bool, _ claim: String) throws {
        if !condition { throw CodecError(.invalidValue, "not true: \(claim)") }
    }
}
