import ArgumentParser
import Foundation
import LabLoopCampaignFile
import LabLoopCore
import LabLoopProtocol
import SwiftProtobuf

/// Reads a campaign file: YAML (see Docs/campaign-format.md), or protobuf JSON for `.json` files.
enum CampaignFileReader {
    /// The wire spec (with strategy settings, which the domain spec does not carry) and every problem.
    static func read(_ path: String) throws -> (spec: CampaignSpec?, wire: Labloop_V1_CampaignSpec?, diagnostics: [Diagnostic]) {
        guard path.hasSuffix(".json") else {
            let (document, diagnostics) = CampaignFile.loadDocument(path: path)
            if diagnostics.contains(where: { $0.kind == .unreadable }) {
                let reasons = diagnostics.filter { $0.kind == .unreadable }.map(\.message).joined(separator: "; ")
                throw CLIError("cannot read \(path): \(reasons)", exitCode: 2)
            }
            guard let document else { return (nil, nil, diagnostics) }
            var wire = document.spec.wire
            wire.strategy.settings = document.strategySettings
            return (document.spec, wire, diagnostics)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read \(path)", exitCode: 2)
        }
        do {
            let wire = try Labloop_V1_CampaignSpec(jsonString: text)
            return (try CampaignSpec(wire: wire), wire, [])
        } catch let error as WireError {
            throw CLIError("\(path): \(error.reason)")
        } catch {
            throw CLIError("\(path): not a campaign spec in protobuf JSON (\(error))")
        }
    }
}

extension CampaignCommand {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a campaign file and report every problem with file:line:column.",
            discussion: "Exit 0 when valid, 1 when it has problems, 2 when the file cannot be read.")
        @Argument(help: "The campaign file (YAML).") var file: String
        @Flag(help: "Print the problems as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let (spec, _, diagnostics) = try CampaignFileReader.read(file)
                if json {
                    let list = diagnostics.map { ["file": $0.file, "line": $0.line, "column": $0.column, "field": $0.field,
                                                   "message": $0.message, "hint": $0.hint ?? ""] as [String: Any] }
                    let data = try JSONSerialization.data(withJSONObject: ["valid": diagnostics.isEmpty, "problems": list],
                                                          options: [.sortedKeys, .prettyPrinted])
                    print(String(decoding: data, as: UTF8.self))
                } else if let spec, diagnostics.isEmpty {
                    print("\(file): valid — \(spec.space.parameters.count) parameters, budget \(spec.maxExperiments) experiments, strategy \(spec.strategy)")
                } else {
                    diagnostics.forEach { print($0.description) }
                    print("\(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") in \(file)")
                }
                if !diagnostics.isEmpty { throw ExitCode(1) }
            }
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a campaign file, submit it, and print the campaign id.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The campaign file (YAML, or protobuf JSON ending in .json).") var file: String

        func run() async throws {
            try await reportingErrors {
                let (_, wire, diagnostics) = try CampaignFileReader.read(file)
                guard let wire, diagnostics.isEmpty else {
                    diagnostics.forEach { FileHandle.standardError.write(Data(($0.description + "\n").utf8)) }
                    throw CLIError("\(file) has \(diagnostics.count) problem(s); nothing was submitted")
                }
                var submit = Labloop_V1_SubmitCampaign()
                submit.spec = wire
                let reply = try await connection.controlClient().send(.submit(submit))
                print(reply.campaign.campaignID)
            }
        }
    }
}
