/// Comparison of secret-dependent bytes (MACs, tags) whose time depends only on the lengths, so an attacker cannot
/// learn how many leading bytes of a forged tag were right.
enum ConstantTime {
    static func equal<A: Collection, B: Collection>(_ left: A, _ right: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
