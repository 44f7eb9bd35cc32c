/// Names protoc derives from other names.
enum ProtoSourceNaming {
    /// The JSON name of a field: each underscore is dropped and the letter after it upper-cased.
    static func jsonName(_ name: String) -> String {
        var result = ""
        var capitalizeNext = false
        for scalar in name.unicodeScalars {
            if scalar == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                result += String(scalar).uppercased()
                capitalizeNext = false
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The name of the entry message of a map field: `foo_bar` becomes `FooBarEntry`.
    static func mapEntryName(_ fieldName: String) -> String {
        var result = ""
        var capitalizeNext = true
        for scalar in fieldName.unicodeScalars {
            if scalar == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                result += scalar.isASCII ? String(scalar).uppercased() : String(scalar)
                capitalizeNext = false
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "Entry"
    }
}
