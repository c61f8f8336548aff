import ArgumentParser

struct CampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Check, submit, watch, steer and export campaigns.",
        discussion: """
            Exit codes: 0 success; 1 an error (invalid file, refused by the coordinator, no coordinator); \
            2 bad usage or an unreadable file; `watch` returns 3 when the campaign ends cancelled.
            """,
        subcommands: [Validate.self, Submit.self, List.self, Status.self, Watch.self, Events.self, Pause.self, Resume.self,
                      Cancel.self, Approve.self, Reject.self, Export.self, Plot.self])
}
