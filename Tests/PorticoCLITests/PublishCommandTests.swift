import Foundation
import PorticoTestSupport
import Testing

/// `portico publish` from a git repository, into a gateway's admin API and straight into etcd.
@Suite(.serialized) struct PublishCommandTests {
    let cli = CodecCommandTests()

    func git(_ directory: String, _ arguments: [String]) throws {
        let result = try runProcess(
            "git", ["-C", directory, "-c", "user.name=Test", "-c", "user.email=test@example.com"] + arguments)
        guard result.status == 0 else { throw CLIFailure(description: "git \(arguments): \(result.stderr)") }
    }

    /// A repository with the bookstore IDL under idl/ (the main file includes the common one) and one commit.
    func makeRepository() throws -> String {
        let directory = ServeCommandTests.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/idl", withIntermediateDirectories: true)
        for name in ["bookstore.thrift", "bookstore_common.thrift"] {
            try FileManager.default.copyItem(
                atPath: CodecCommandTests.descriptors + "/" + name, toPath: directory + "/idl/" + name)
        }
        try git(directory, ["init", "-q"])
        try git(directory, ["add", "."])
        try git(directory, ["commit", "-q", "-m", "first"])
        return directory
    }

    func admin(_ base: String, _ path: String) throws -> String {
        try runProcess("curl", ["-sS", "--max-time", "10", "-H", "Authorization: Bearer secret", base + path]).text
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func publishIsIdempotentAndLabelsVersionsWithCommits() async throws {
        try await EtcdCluster.with(members: 1) { etcd in
            let repository = try makeRepository()
            defer { try? FileManager.default.removeItem(atPath: repository) }
            let config = ServeCommandTests.temporaryDirectory() + "/gateway.yaml"
            try Data("listen: 127.0.0.1:0\nstore: \(etcd.storeURL())\nadmin: { token: secret }\nservices: []\n".utf8)
                .write(to: URL(fileURLWithPath: config))
            let server = try PeerServer(
                [CodecCommandTests.binary, "serve", "--config", config], port: ServeCommandTests.trailingPort)
            defer { server.stop() }
            let base = "http://127.0.0.1:\(server.port)"
            let gatewayArguments = ["--gateway", base, "--token", "secret"]

            var result = try cli.run(
                CodecCommandTests.binary,
                [
                    "publish", "--repo", repository, "--entry", "shop=idl/bookstore.thrift",
                ] + gatewayArguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.text.hasPrefix("shop: uploaded v1 (2 files"), "\(result.text)")
            result = try cli.run(
                CodecCommandTests.binary,
                [
                    "publish", "--repo", repository, "--entry", "shop=idl/bookstore.thrift",
                ] + gatewayArguments)
            #expect(result.text == "shop: unchanged, v1 is active\n", "\(result.text) \(result.stderr)")

            // A new commit, published straight into etcd; the gateway sees it through its watch.
            let common = repository + "/idl/bookstore_common.thrift"
            let text = try String(contentsOfFile: common, encoding: .utf8)
            try Data((text + "\nconst i32 PUBLISHED = 1\n").utf8).write(to: URL(fileURLWithPath: common))
            try git(repository, ["commit", "-q", "-am", "second"])
            let head = try runProcess("git", ["-C", repository, "rev-parse", "HEAD"]).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            result = try cli.run(
                CodecCommandTests.binary,
                [
                    "publish", "--repo", repository, "--entry", "shop=idl/bookstore.thrift", "--store", etcd.storeURL(),
                ])
            #expect(result.text.hasPrefix("shop: uploaded v2"), "\(result.text) \(result.stderr)")
            result = try cli.run(
                CodecCommandTests.binary,
                [
                    "publish", "--repo", repository, "--entry", "shop=idl/bookstore.thrift", "--store", etcd.storeURL(),
                ])
            #expect(result.text == "shop: unchanged, v2 is active\n", "\(result.text) \(result.stderr)")
            var seen = ""
            for _ in 0..<100 {
                seen = try admin(base, "/admin/descriptors/shop")
                if seen.contains("\"active_version\":2") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen.contains("\"2\":\"\(head)\""), "\(seen)")

            // The first commit again (an older ref): a new version with the old content.
            result = try cli.run(
                CodecCommandTests.binary,
                [
                    "publish", "--repo", repository, "--ref", "HEAD~1", "--entry", "shop=idl/bookstore.thrift",
                ] + gatewayArguments)
            #expect(result.text.hasPrefix("shop: uploaded v3"), "\(result.text) \(result.stderr)")
        }
    }

    @Test func badInputIsAClearError() throws {
        let repository = try makeRepository()
        defer { try? FileManager.default.removeItem(atPath: repository) }
        let cases: [([String], String)] = [
            (["--entry", "shop=idl/missing.thrift", "--store", "etcd://127.0.0.1:1"], "is not in"),
            (
                ["--entry", "shop=idl/bookstore.thrift", "--ref", "nope", "--store", "etcd://127.0.0.1:1"],
                "has no commit"
            ),
            (["--entry", "shop", "--store", "etcd://127.0.0.1:1"], "is not NAME=PATH"),
            (["--entry", "shop=idl/bookstore.thrift"], "either --gateway"),
            (["--entry", "shop=idl/bookstore.thrift", "--store", "etcd://nohost"], "STORE_URL_INVALID"),
            (["--entry", "shop=idl/bookstore.thrift", "--store", "etcd://127.0.0.1:1"], "STORE_UNAVAILABLE"),
        ]
        for (arguments, expected) in cases {
            let result = try cli.run(CodecCommandTests.binary, ["publish", "--repo", repository] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }
}
