import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore

/// A campaign's rows and objective, read from the data directory's store (works while the
/// coordinator runs, or offline) or, without `--data`, from the coordinator's control socket.
struct CampaignData {
    var campaignID: String
    var name: String
    var objective: String
    var direction: Labloop_V1_Direction
    var rows: [Labloop_V1_ExperimentRow]

    static func load(campaignID: String, connection: ConnectionOptions) async throws -> CampaignData {
        if let data = connection.data {
            return try await offline(campaignID: campaignID, database: URL(fileURLWithPath: data).appendingPathComponent("labloop.sqlite").path)
        }
        return try await online(campaignID: campaignID, client: connection.controlClient())
    }

    static func offline(campaignID: String, database: String) async throws -> CampaignData {
        let store: Store
        do {
            store = try Store(readingOnly: database)
        } catch {
            throw CLIError("cannot read the store \(database): \(error.message)")
        }
        guard let campaign = try await store.campaigns().first(where: { $0.id == campaignID }) else {
            throw CLIError("no campaign \(campaignID) in \(database)")
        }
        var rows: [Labloop_V1_ExperimentRow] = []
        var after = ""
        while true {
            let page = try await store.experimentRows(campaignID: campaignID, after: after, limit: 5_000)
            rows += page.rows
            guard page.more, let last = page.rows.last else { break }
            after = last.experimentID
        }
        return CampaignData(campaignID: campaignID, name: campaign.spec.name, objective: campaign.spec.objective.measurement,
                            direction: campaign.spec.objective.direction, rows: rows)
    }

    static func online(campaignID: String, client: ControlClient) async throws -> CampaignData {
        var get = Labloop_V1_GetCampaign()
        get.campaignID = campaignID
        let summary = try await client.send(.getCampaign(get)).campaign
        var rows: [Labloop_V1_ExperimentRow] = []
        var export = Labloop_V1_ExportCampaign()
        export.campaignID = campaignID
        export.maxRows = 5_000
        while true {
            let page = try await client.send(.export(export)).exportPage
            rows += page.rows
            guard page.more, let last = page.rows.last else { break }
            export.afterExperimentID = last.experimentID
        }
        return CampaignData(campaignID: campaignID, name: summary.name, objective: summary.objective,
                            direction: summary.direction, rows: rows)
    }

    /// The objective of a row, if it completed and reported it.
    func objectiveValue(_ row: Labloop_V1_ExperimentRow) -> Double? {
        guard row.state == .completed, let value = row.measurements.first(where: { $0.name == objective })?.value.kind
        else { return nil }
        switch value {
        case .real(let x): return x.isFinite ? x : nil
        case .integer(let x): return Double(x)
        case .category: return nil
        }
    }
}
