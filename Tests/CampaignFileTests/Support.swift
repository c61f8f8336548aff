import Foundation
import LabLoopCampaignFile
import LabLoopCore

/// Where the test fixtures and the documented examples are.
enum Paths {
    /// `Fixtures/` as copied into the test bundle.
    static var fixtures: URL {
        // The target copies the folder as a resource, so it is always there.
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static var brokenFixtures: URL { fixtures.appendingPathComponent("broken") }
    static var validFixtures: URL { fixtures.appendingPathComponent("valid") }

    /// `Docs/examples/` of the package this test file belongs to.
    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/examples")
    }

    /// File names in `directory` ending in `suffix`, sorted.
    static func files(in directory: URL, endingIn suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }
}
