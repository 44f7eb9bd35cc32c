import ArgumentParser
import Foundation
import Gateway
import Logging

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `portico publish`: the IDL of a git repository at one commit, uploaded as registry bundles.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Upload the bundles a git repository's IDL files make, each version labelled with the commit id.",
        discussion: """
            Each --entry NAME=PATH makes one bundle: the file at PATH (relative to the repository) with every file
            it imports or includes, read at --ref (default HEAD) with `git show`, not from the working tree.
            Imports are looked up beside the importing file, then in each --include directory, then at the root.
            A bundle equal to the name's active version is not uploaded again, so running it on every commit is safe.
            Examples:
              portico publish --repo ../idl --entry shop=thrift/shop.thrift --gateway http://127.0.0.1:8080
              portico publish --repo ../idl --ref v1.4 --entry inventory=proto/inventory.proto \\
                --include proto --store etcd://10.0.0.1:2379,10.0.0.2:2379/portico
            The admin token comes from --token or PORTICO_ADMIN_TOKEN.
            """
    )

    @Option(help: "The git repository.")
    var repo: String

    @Option(help: "The commit, branch or tag to publish.")
    var ref: String = "HEAD"

    @Option(name: .customLong("entry"), help: "NAME=PATH: a registry name and its main IDL file (repeatable).")
    var entries: [String] = []

    @Option(name: .customLong("include"), help: "A directory of the repository imports are resolved in (repeatable).")
    var includes: [String] = []

    @Option(help: "A gateway's base URL (its admin API).")
    var gateway: String?

    @Option(help: "The admin token (default: PORTICO_ADMIN_TOKEN).")
    var token: String?

    @Option(help: "Write straight into an etcd store: etcd://HOST:PORT[,...]/PREFIX (or etcds://... over TLS).")
    var store: String?

    func run() async throws {
        do {
            guard (gateway == nil) != (store == nil) else {
                throw PublishError("give either --gateway URL or --store etcd://...")
            }
            guard !entries.isEmpty else { throw PublishError("give at least one --entry NAME=PATH") }
            let repository = GitRepository(path: repo)
            let commit = try repository.commit(ref)
            var publisher: (any BundlePublisher)?
            if let gateway {
                let token = token ?? ProcessInfo.processInfo.environment["PORTICO_ADMIN_TOKEN"]
                guard let token, !token.isEmpty else {
                    throw PublishError("the admin API needs --token or PORTICO_ADMIN_TOKEN")
                }
                publisher = try AdminAPIPublisher(base: gateway, token: token)
            } else if let store {
                publisher = try StorePublisher(store: store)
            }
            defer { if let publisher { Task { await publisher.close() } } }
            for entry in entries {
                guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                    throw PublishError("--entry \(entry) is not NAME=PATH")
                }
                let name = String(entry[..<equals])
                let path = String(entry[entry.index(after: equals)...])
                let (main, files) = try repository.bundle(main: path, includes: includes, at: commit)
                let outcome = try await publisher!.publish(name: name, main: main, files: files, label: commit)
                let short = String(commit.prefix(12))
                writeStandardOutput(
                    Array(
                        (outcome.uploaded
                            ? "\(name): uploaded v\(outcome.version) (\(files.count) files, commit \(short))\n"
                            : "\(name): unchanged, v\(outcome.version) is active\n").utf8))
            }
        } catch let error as PublishError {
            FileHandle.standardError.write(Data("portico publish: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as GatewayError {
            FileHandle.standardError.write(Data((error.body + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

struct PublishError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Where bundles go.
protocol BundlePublisher: Sendable {
    func publish(name: String, main: String, files: [String: String], label: String) async throws
        -> (version: Int, uploaded: Bool)
    func close() async
}

struct StorePublisher: BundlePublisher {
    let publisher: EtcdPublisher

    init(store: String) throws {
        publisher = try EtcdPublisher(
            store: store, environment: ProcessInfo.processInfo.environment, logger: Logger(label: "portico.publish"))
    }

    func publish(name: String, main: String, files: [String: String], label: String) async throws
        -> (version: Int, uploaded: Bool)
    {
        let outcome = try await publisher.publish(name: name, main: main, files: files, label: label)
        return (outcome.version, outcome.uploaded)
    }

    func close() async { await publisher.shutdown() }
}
