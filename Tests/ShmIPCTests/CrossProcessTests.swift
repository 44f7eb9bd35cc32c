import Foundation
import Testing

/// Swift server and client in separate processes, through the `portico shmipc` diagnostics.
@Suite(
    "portico shmipc across processes", .timeLimit(.minutes(1)),
    .enabled(
        if: Tools.portico != nil,
        "skipped: no portico executable beside the test bundle or in .build/debug (build the portico product)"))
struct CrossProcessTests {
    func startEchoServer(_ directory: TemporaryDirectory, _ extra: [String] = []) async throws -> ExternalProcess {
        let portico = try #require(Tools.portico, "the portico executable was not built next to the tests")
        let server = try ExternalProcess(
            executable: portico,
            arguments: ["shmipc", "echo-server", "--listen", directory.socket(), "--handshake-timeout", "10"] + extra,
            directory: directory, name: "echo-server")
        #expect(await server.waitFor("listening"), "echo-server did not start: \(server.output)")
        return server
    }

    func ping(_ directory: TemporaryDirectory, _ socket: String, _ arguments: [String]) async throws -> (Int32?, String)
    {
        let portico = try #require(Tools.portico)
        let ping = try ExternalProcess(
            executable: portico,
            arguments: ["shmipc", "ping", "--connect", socket, "--handshake-timeout", "10"] + arguments,
            directory: directory, name: "ping-\(UUID().uuidString.prefix(6))")
        defer { ping.stop() }
        let status = await ping.finish(seconds: 40)
        return (status, ping.output)
    }

    @Test(
        "ping against echo-server checks every byte",
        arguments: [
            ["--size", "1024", "--count", "300"],
            ["--size", "1048576", "--count", "8", "--streams", "4"],
            ["--size", "4194304", "--count", "2", "--file-path"],
            ["--size", "1", "--count", "100", "--streams", "8", "--file-path"],
        ])
    func pingEcho(arguments: [String]) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let server = try await startEchoServer(directory)
        defer { server.stop() }
        let (status, output) = try await ping(directory, directory.socket(), arguments)
        #expect(status == 0, "\(output)\nserver: \(server.output)")
        #expect(output.contains("round trips/s"))
        #expect(output.contains(arguments.contains("--file-path") ? "protocol v2" : "protocol v3"))
    }

    @Test("2 sessions sharing a region x 64 streams x 64 KiB against echo-server, 3 runs, every byte checked")
    func sharedRegionAcrossProcesses() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let server = try await startEchoServer(directory)
        defer { server.stop() }
        for run in 0..<3 {
            let (status, output) = try await ping(
                directory, directory.socket(),
                ["--size", "65536", "--count", "2048", "--streams", "64", "--sessions", "2"])
            #expect(status == 0, "run \(run): \(output)\nserver: \(server.output)")
            #expect(output.contains("in 2 sessions"), "\(output)")
        }
        #expect(server.process.isRunning)
    }

    @Test("ping with a tiny buffer region falls back to the socket and still checks every byte")
    func pingFallback() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let server = try await startEchoServer(directory)
        defer { server.stop() }
        let (status, output) = try await ping(
            directory, directory.socket(),
            ["--size", "900000", "--count", "4", "--streams", "2", "--buffer-size", "1000000"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("fell back to the socket"), "\(output)")
    }

    @Test("an echo-server offering only v2 (--file-path) makes a memfd client fall back to v2")
    func filePathServer() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let server = try await startEchoServer(directory, ["--file-path"])
        defer { server.stop() }
        let (status, output) = try await ping(directory, directory.socket(), ["--size", "5000", "--count", "20"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("protocol v2"))
    }

    @Test("ping against the Python peer, and a non-zero exit when the server misbehaves")
    func pingPython() async throws {
        let python = try #require(Tools.python)
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let good = try ExternalProcess(
            executable: python, arguments: [Tools.pythonPeer, "server", "--listen", directory.socket("good.sock")],
            directory: directory, name: "py-good")
        defer { good.stop() }
        let bad = try ExternalProcess(
            executable: python,
            arguments: [
                Tools.pythonPeer, "server", "--listen", directory.socket("bad.sock"), "--fault", "garbage-reply",
            ],
            directory: directory, name: "py-bad")
        defer { bad.stop() }
        #expect(await good.waitFor("READY"))
        #expect(await bad.waitFor("READY"))
        let (status, output) = try await ping(
            directory, directory.socket("good.sock"), ["--size", "70000", "--count", "10", "--streams", "2"])
        #expect(status == 0, "\(output)")
        let (badStatus, badOutput) = try await ping(
            directory, directory.socket("bad.sock"), ["--size", "10", "--count", "3"])
        #expect(badStatus != 0 && badStatus != nil, "\(badOutput)")
        #expect(badOutput.contains("SHMIPC_BAD_MAGIC"), "\(badOutput)")
    }

    @Test("echo-server survives a session whose stream fails inside its handler, and serves the next ping")
    func echoServerSurvivesHandlerFailure() async throws {
        let python = try #require(Tools.python)
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let server = try await startEchoServer(directory)
        defer { server.stop() }
        let hostile = try ExternalProcess(
            executable: python,
            arguments: [Tools.pythonPeer, "client", "--connect", directory.socket(), "--fault", "bad-slice"],
            directory: directory, name: "py-bad-slice")
        defer { hostile.stop() }
        #expect(await hostile.finish(seconds: 20) == 0, "\(hostile.output)")
        #expect(server.process.isRunning, "echo-server died: \(server.output)")
        let (status, output) = try await ping(
            directory, directory.socket(), ["--size", "65536", "--count", "128", "--streams", "64"])
        #expect(status == 0, "\(output)\nserver: \(server.output)")
        #expect(!server.output.contains("Broken pipe"), "\(server.output)")
    }

    @Test("the Python client against echo-server in another process")
    func pythonClientAgainstEchoServer() async throws {
        let python = try #require(Tools.python)
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let server = try await startEchoServer(directory)
        defer { server.stop() }
        let client = try ExternalProcess(
            executable: python,
            arguments: [
                Tools.pythonPeer, "client", "--connect", directory.socket(), "--sizes", "1,9000,2000000", "--streams",
                "3",
            ],
            directory: directory, name: "py-client")
        defer { client.stop() }
        #expect(await client.finish(seconds: 40) == 0, "\(client.output)")
        #expect(client.output.contains("OK v3"))
    }
}
