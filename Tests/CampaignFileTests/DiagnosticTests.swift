import Foundation
import LabLoopCampaignFile
import Testing

@Suite struct DiagnosticTests {
    @Test func describesItselfInTheDocumentedFormat() {
        let full = Diagnostic(file: "c.yaml", line: 3, column: 8, field: "parameters.x.low",
                              message: "expected a number, found the string 'a'", hint: "write a number")
        #expect(full.description == "c.yaml:3:8: error: parameters.x.low: expected a number, found the string 'a' — hint: write a number")
        let bare = Diagnostic(file: "c.yaml", line: 1, column: 1, field: "", message: "the file is empty")
        #expect(bare.description == "c.yaml:1:1: error: the file is empty")
    }

    @Test func aMissingFileIsUnreadable() {
        let result = CampaignFile.load(path: "/nonexistent/campaign.yaml")
        #expect(result.spec == nil)
        #expect(result.diagnostics.map(\.description) == ["/nonexistent/campaign.yaml:1:1: error: no such file — hint: check the path"])
        #expect(result.diagnostics.map(\.kind) == [.unreadable])
    }

    @Test func aDirectoryIsUnreadable() {
        let path = FileManager.default.temporaryDirectory.path
        let result = CampaignFile.load(path: path)
        #expect(result.diagnostics.map(\.description) == ["\(path):1:1: error: is a directory, not a campaign file"])
        #expect(result.diagnostics.map(\.kind) == [.unreadable])
    }

    @Test func syntaxAndContentProblemsHaveTheirKinds() {
        #expect(CampaignFile.parse("a: [", file: "f").diagnostics.map(\.kind) == [.syntax])
        #expect(CampaignFile.parse("name: x", file: "f").diagnostics.allSatisfy { $0.kind == .invalid })
    }

    @Test func everyProblemIsReportedAtOnceInFileOrder() throws {
        let url = Paths.brokenFixtures.appendingPathComponent("01-unknown-keys.yaml")
        let diagnostics = CampaignFile.parse(try Paths.text(url), file: "x").diagnostics
        #expect(diagnostics.count > 5)
        #expect(diagnostics.map { [$0.line, $0.column] } == diagnostics.map { [$0.line, $0.column] }.sorted { $0.lexicographicallyPrecedes($1) })
    }
}
