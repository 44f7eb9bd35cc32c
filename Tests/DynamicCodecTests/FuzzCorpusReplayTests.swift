import FuzzChecks
import Foundation
import Testing

/// Every input of the fuzzing corpus (`FuzzTesting/Corpus/<harness>/`) and every crash the fuzzers found
/// (`FuzzTesting/Regressions/<harness>/`) through the same check the libFuzzer harness runs: no fuzzer needed.
/// A decoder that traps stops the test process, as it would stop the gateway.
@Suite struct FuzzCorpusReplayTests {
    static let fuzzTesting = FuzzSchemas.repositoryRoot.appendingPathComponent("FuzzTesting")

    @Test(arguments: FuzzHarness.allCases)
    func corpusAndRegressionsPass(_ harness: FuzzHarness) throws {
        var replayed = 0
        for folder in ["Corpus", "Regressions"] {
            let directory = Self.fuzzTesting.appendingPathComponent(folder).appendingPathComponent(harness.rawValue)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let input = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
                do {
                    try harness.check(input)
                } catch {
                    Issue.record("\(folder)/\(harness.rawValue)/\(name): \(error)")
                }
                replayed += 1
            }
        }
        #expect(replayed > 0, "no corpus for \(harness.rawValue)")
    }
}
