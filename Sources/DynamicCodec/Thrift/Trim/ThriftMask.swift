/// A field mask over a Thrift value: which parts of it to keep, built from paths.
///
/// A path step after a container without a subscript applies to every element (every map value, keys kept), at
/// any depth of nesting; a subscript (`[2]`, `["k"]`) keeps only that element or entry. Paths are merged: a
/// part kept whole by one path stays whole.
final class ThriftMask {
    /// Keep the whole value.
    private(set) var keepsAll = false
    /// For a struct: the fields to keep, by id.
    private(set) var fields: [Int16: ThriftMask] = [:]
    /// For a container: what to keep of every element (or map value); nil when only `selected` ones are kept.
    private(set) var every: ThriftMask?
    /// For a container: the elements or entries that subscripts select, by subscript.
    private(set) var selected: [FieldPath.Step: ThriftMask] = [:]

    init() {}

    /// The mask of `paths` over a struct of type `root`.
    convenience init(_ paths: [FieldPath], root: ThriftStructDescriptor, schema: ThriftSchema) throws(CodecError) {
        self.init()
        for path in paths {
            guard !path.steps.isEmpty else { throw CodecError(.invalidPath, "empty mask path") }
            do {
                try insert(path.steps[...], type: .struct(root.index), schema: schema)
            } catch {
                var located = error
                located.path = path.description
                throw located
            }
        }
    }

    private func keepAll() {
        keepsAll = true
        fields = [:]
        every = nil
        selected = [:]
    }

    private func insert(_ steps: ArraySlice<FieldPath.Step>, type: ThriftType, schema: ThriftSchema)
        throws(CodecError)
    {
        if keepsAll { return }
        guard let step = steps.first else { return keepAll() }
        switch type {
        case .struct(let index):
            let descriptor = schema.structs[index]
            guard !step.isSubscript else {
                throw CodecError(.pathMismatch, "subscript \(step.pathText) follows struct \(descriptor.name)")
            }
            let field = try descriptor.field(for: step)
            let child = fields[field.id] ?? ThriftMask()
            fields[field.id] = child
            try child.insert(steps.dropFirst(), type: field.type, schema: schema)
        case .list(let element), .set(let element):
            if case .integer(let index) = step {
                guard index >= 0 else { throw CodecError(.indexOutOfRange, "mask index \(index) is negative") }
                try child(for: step).insert(steps.dropFirst(), type: element, schema: schema)
            } else if step.isSubscript {
                throw CodecError(.pathMismatch, "a list needs an [index] subscript, found \(step.pathText)")
            } else {
                try everyChild().insert(steps, type: element, schema: schema)
            }
        case .map(_, let value):
            if step.isSubscript {
                try child(for: step).insert(steps.dropFirst(), type: value, schema: schema)
            } else {
                try everyChild().insert(steps, type: value, schema: schema)
            }
        default:
            throw CodecError(.pathMismatch, "mask step \(step.pathText) goes below a \(schema.describe(type))")
        }
    }

    private func child(for step: FieldPath.Step) -> ThriftMask {
        let child = selected[step] ?? ThriftMask()
        selected[step] = child
        return child
    }

    private func everyChild() -> ThriftMask {
        let child = every ?? ThriftMask()
        every = child
        return child
    }

    /// Whether elements are kept only when a subscript selects them.
    var selectsElements: Bool { every == nil && !selected.isEmpty }

    /// What to keep of one element or map value that `selection` (if any) selects, besides what `every` keeps;
    /// nil when the element is dropped.
    func elementMask(selection: ThriftMask?) -> ThriftMask? {
        switch (every, selection) {
        case (nil, nil): nil
        case (let all?, nil): all
        case (nil, let one?): one
        case (let all?, let one?): ThriftMask.union(all, one)
        }
    }

    /// A mask keeping what either mask keeps.
    static func union(_ left: ThriftMask, _ right: ThriftMask) -> ThriftMask {
        let result = ThriftMask()
        if left.keepsAll || right.keepsAll {
            result.keepAll()
            return result
        }
        result.fields = left.fields.merging(right.fields) { union($0, $1) }
        switch (left.every, right.every) {
        case (nil, nil): result.every = nil
        case (let one?, nil), (nil, let one?): result.every = one
        case (let first?, let second?): result.every = union(first, second)
        }
        result.selected = left.selected.merging(right.selected) { union($0, $1) }
        return result
    }
}

extension ThriftStructDescriptor {
    /// The field a path step names: by name, by `api.key`, or by id.
    func field(for step: FieldPath.Step) throws(CodecError) -> ThriftFieldDescriptor {
        switch step {
        case .name(let name):
            if let field = field(named: name) ?? fields.first(where: { $0.annotations["api.key"] == name }) {
                return field
            }
            throw CodecError(.unknownField, "\(self.name) has no field named '\(name)'")
        case .number(let id):
            if let narrow = Int16(exactly: id), let field = field(id: narrow) { return field }
            throw CodecError(.unknownField, "\(self.name) has no field with id \(id)")
        default:
            throw CodecError(.pathMismatch, "expected a field name or id, found subscript \(step.pathText)")
        }
    }
}
