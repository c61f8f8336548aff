import Foundation
import LabLoopCampaignFile
import LabLoopCore
import Testing

/// Mangled input must never crash the reader, and every refusal must say where and why.
@Suite struct FuzzTests {
    @Test func fiveHundredMutationsOfAValidFile() throws {
        let base = try Paths.text(Paths.validFixtures.appendingPathComponent("complete.yaml"))
        var generator = SplitMix64(seed: 20_260_401)
        var failures: [String] = []
        var refused = 0
        for round in 0..<500 {
            var text = base
            for _ in 0...Int.random(in: 0..<3, using: &generator) { text = Self.mutate(text, using: &generator) }
            let result = CampaignFile.parse(text, file: "fuzz.yaml")
            if let problem = Self.check(result, text: text) { failures.append("round \(round): \(problem)\n\(text)") }
            if result.spec == nil { refused += 1 }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n---\n"))")
        // The mutations are meant to break things; most of them should.
        #expect(refused > 250)
    }

    @Test func randomTextIsRefusedWithPositions() {
        var generator = SplitMix64(seed: 7)
        var failures: [String] = []
        for round in 0..<200 {
            let bytes = (0..<Int.random(in: 0..<400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = String(decoding: bytes, as: UTF8.self)
            let result = CampaignFile.parse(text, file: "random.yaml")
            if result.spec != nil { failures.append("round \(round): random text was accepted") }
            if let problem = Self.check(result, text: text) { failures.append("round \(round): \(problem)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test func bytesThatAreNotUTF8GiveOneDiagnostic() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-\(UUID().uuidString).yaml")
        try Data("name: ok\nowner: \u{FF}".utf8 + [0xFF, 0xFE, 0x41]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let result = CampaignFile.load(path: url.path)

        #expect(result.spec == nil)
        #expect(result.diagnostics.map(\.description) == ["\(url.path):2:9: error: the file is not UTF-8 text — hint: save it as UTF-8"])
        #expect(result.diagnostics.first?.kind == .syntax)
    }

    @Test func deepNestingIsRefusedNotFatal() {
        for depth in [500, 999, 1_001, 20_000] {
            let text = "name: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
            let result = CampaignFile.parse(text, file: "deep.yaml")
            #expect(result.spec == nil)
            #expect(!result.diagnostics.isEmpty)
        }
    }

    @Test func exponentialAliasesAreNotExpanded() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<12 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        text += "name: *a11\nparameters: {x: *a11}\nconstraints: *a11\nrecord: *a11\n"
        let result = CampaignFile.parse(text, file: "aliases.yaml")
        #expect(result.spec == nil)
        #expect(!result.diagnostics.isEmpty)
    }

    /// nil when the result is consistent: a spec and no diagnostics, or diagnostics (with real
    /// positions) and no spec.
    private static func check(_ result: (spec: CampaignSpec?, diagnostics: [Diagnostic]), text: String) -> String? {
        if result.spec != nil, !result.diagnostics.isEmpty { return "a spec and diagnostics" }
        if result.spec == nil, result.diagnostics.isEmpty { return "no spec and no diagnostic" }
        let breaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
        let lines = text.unicodeScalars.filter { breaks.contains($0) }.count + 1
        for diagnostic in result.diagnostics where diagnostic.line < 1 || diagnostic.column < 1 || diagnostic.line > lines {
            return "diagnostic outside the text: \(diagnostic)"
        }
        return nil
    }

    private static func mutate(_ text: String, using generator: inout SplitMix64) -> String {
        var lines = text.components(separatedBy: "\n")
        guard !lines.isEmpty else { return text }
        let line = Int.random(in: 0..<lines.count, using: &generator)
        switch Int.random(in: 0..<8, using: &generator) {
        case 0:
            lines.remove(at: line)
        case 1:
            lines.insert(lines[line], at: line)
        case 2:
            lines.swapAt(line, Int.random(in: 0..<lines.count, using: &generator))
        case 3:
            let bytes = (0..<Int.random(in: 1...12, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            lines[line].insert(contentsOf: String(decoding: bytes, as: UTF8.self), at: randomIndex(in: lines[line], using: &generator))
        case 4:
            let noise: [Character] = [":", "{", "}", "[", "]", "-", "#", "\"", "'", " ", "\t", "&", "*", "!", "|", ">", "%", "@", ","]
            lines[line].insert(noise[Int.random(in: 0..<noise.count, using: &generator)],
                               at: randomIndex(in: lines[line], using: &generator))
        case 5:
            if !lines[line].isEmpty {
                let start = randomIndex(in: lines[line], using: &generator)
                let end = lines[line].index(start, offsetBy: min(3, lines[line].distance(from: start, to: lines[line].endIndex)))
                lines[line].removeSubrange(start..<end)
            }
        case 6:
            lines[line] = String(repeating: " ", count: Int.random(in: 0...6, using: &generator))
                + lines[line].trimmingCharacters(in: .whitespaces)
        default:
            lines = Array(lines.prefix(line))
        }
        return lines.joined(separator: "\n")
    }

    private static func randomIndex(in line: String, using generator: inout SplitMix64) -> String.Index {
        line.index(line.startIndex, offsetBy: Int.random(in: 0...line.count, using: &generator))
    }
}
