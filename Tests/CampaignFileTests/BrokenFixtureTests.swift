import Foundation
import LabLoopCampaignFile
import Testing

/// Every file in Fixtures/broken/ is parsed and its diagnostics compared line by line with the
/// `.expected` file next to it. When a message changes on purpose, update the `.expected` file.
@Suite struct BrokenFixtureTests {
    static let fixtures = Paths.files(in: Paths.brokenFixtures, endingIn: ".yaml")

    @Test func thereAreEnoughDistinctBrokenFiles() {
        #expect(Self.fixtures.count >= 12)
    }

    @Test(arguments: fixtures)
    func diagnosticsMatchTheExpectedOutput(_ name: String) throws {
        let yaml = Paths.brokenFixtures.appendingPathComponent(name)
        let expectedURL = yaml.deletingPathExtension().appendingPathExtension("expected")
        let expected = try Paths.text(expectedURL).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)

        let result = CampaignFile.parse(try Paths.text(yaml), file: name)

        #expect(result.spec == nil)
        #expect(result.diagnostics.map(\.description) == expected)
    }

    @Test(arguments: fixtures)
    func loadingFromDiskGivesTheSameProblems(_ name: String) throws {
        let yaml = Paths.brokenFixtures.appendingPathComponent(name)
        let loaded = CampaignFile.load(path: yaml.path)
        let parsed = CampaignFile.parse(try Paths.text(yaml), file: yaml.path)
        #expect(loaded.diagnostics == parsed.diagnostics)
    }
}
