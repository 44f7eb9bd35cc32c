import Foundation

/// Reads files of a git repository at a commit (`git show COMMIT:PATH`), never from the working tree, and gathers
/// an IDL file with everything it imports.
struct GitRepository {
    let path: String

    /// The full commit id `ref` names.
    func commit(_ ref: String) throws -> String {
        guard !ref.hasPrefix("-") else { throw PublishError("--ref \(ref) is not a commit, branch or tag") }
        let result = try git(["rev-parse", "--verify", "--quiet", "\(ref)^{commit}"])
        let id = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, id.count == 40 || id.count == 64 else {
            throw PublishError("\(path) has no commit \(ref)")
        }
        return id
    }

    /// The text of `file` at `commit`, or nil when the commit has no such file.
    func file(_ file: String, at commit: String) throws -> String? {
        let result = try git(["show", "\(commit):\(file)"])
        guard result.status == 0 else { return nil }
        guard let text = String(data: result.output, encoding: .utf8) else {
            throw PublishError("\(file) at \(commit.prefix(12)) is not UTF-8")
        }
        return text
    }

    /// The bundle for `main`: its file name in the bundle and every file by the name it is imported under.
    func bundle(main: String, includes: [String], at commit: String) throws -> (main: String, files: [String: String]) {
        let mainPath = normalized(main)
        guard let mainText = try file(mainPath, at: commit) else {
            throw PublishError("\(main) is not in \(path) at \(commit.prefix(12))")
        }
        let mainDirectory = directory(of: mainPath)
        let mainName = mainDirectory.isEmpty ? mainPath : String(mainPath.dropFirst(mainDirectory.count + 1))
        var files = [mainName: mainText]
        // (name imported as, path in the repository, text)
        var pending = [(mainName, mainPath, mainText)]
        let roots = [mainDirectory] + includes.map(normalized) + [""]
        while let (_, filePath, text) = pending.popLast() {
            for imported in Self.imports(in: text, thrift: filePath.hasSuffix(".thrift")) where files[imported] == nil {
                guard !imported.contains(".."), !imported.hasPrefix("/") else {
                    throw PublishError("\(filePath) imports \(imported), outside the repository")
                }
                var found: (String, String)?
                for root in [directory(of: filePath)] + roots {
                    let candidate = root.isEmpty ? imported : root + "/" + imported
                    if let text = try file(candidate, at: commit) {
                        found = (candidate, text)
                        break
                    }
                }
                guard let (candidatePath, candidateText) = found else {
                    // Well-known Protobuf files are built into the gateway's parser.
                    if imported.hasPrefix("google/protobuf/") { continue }
                    throw PublishError(
                        "\(filePath) imports \(imported), which is not in the repository at \(commit.prefix(12))")
                }
                files[imported] = candidateText
                pending.append((imported, candidatePath, candidateText))
            }
        }
        return (mainName, files)
    }

    /// `import "x.proto";` (also `public`/`weak`) or `include "x.thrift"` lines.
    static func imports(in text: String, thrift: Bool) -> [String] {
        var found: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            var rest = line.drop { $0 == " " || $0 == "\t" }
            let keyword = thrift ? "include" : "import"
            guard rest.hasPrefix(keyword + " ") || rest.hasPrefix(keyword + "\"") else { continue }
            rest = rest.dropFirst(keyword.count)
            guard let open = rest.firstIndex(where: { $0 == "\"" || $0 == "'" }) else { continue }
            let quote = rest[open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: quote) else { continue }
            found.append(String(after[..<close]))
        }
        return found
    }

    private func normalized(_ file: String) -> String {
        var text = file
        while text.hasPrefix("./") { text.removeFirst(2) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    private func directory(of file: String) -> String {
        file.lastIndex(of: "/").map { String(file[..<$0]) } ?? ""
    }

    private func git(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PublishError("cannot run git: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
