import GenericCall

/// The unit syntax of config values: durations (`50ms`, `1s`, `1.5s`, `2m`, `1h`, `250us`) and sizes (`4MiB`,
/// `512KiB`, `1MB`, `1000`).
public enum ConfigUnits {
    /// A duration with a unit: ns, us, ms, s, m or h. Nil for anything else (a bare number has no unit).
    public static func duration(_ text: String) -> Duration? { DurationText.parse(text) }

    /// A byte count: a plain integer, or a number with B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB
    /// (powers of 1024).
    public static func size(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: " ")
        let split = trimmed.firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ".")) }) ?? trimmed.endIndex
        guard split != trimmed.startIndex, let amount = Double(trimmed[..<split]), amount >= 0 else { return nil }
        let unit: Double
        switch trimmed[split...].trimmingCharacters(in: " ").lowercased() {
        case "", "b": unit = 1
        case "kb", "k": unit = 1e3
        case "mb", "m": unit = 1e6
        case "gb", "g": unit = 1e9
        case "kib": unit = 1024
        case "mib": unit = 1024 * 1024
        case "gib": unit = 1024 * 1024 * 1024
        default: return nil
        }
        let total = amount * unit
        guard total < 1e15 else { return nil }
        return Int(total.rounded())
    }

    /// Renders a duration the way the parser reads it back (`1500ms`, `2s`).
    public static func format(_ duration: Duration) -> String { DurationText.format(duration) }
}

extension StringProtocol {
    func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}
