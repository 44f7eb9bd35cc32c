import Foundation

/// The `--mask` list: paths separated by commas, except commas inside a quoted map key (`m["a,b"].x`).
enum MaskPathList {
    static func split(_ text: String) -> [String] {
        var paths: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in text {
            if inQuotes {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inQuotes = false
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "," {
                paths.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        paths.append(current)
        return paths.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
