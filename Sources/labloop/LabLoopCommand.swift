import ArgumentParser

@main
struct LabLoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labloop",
        abstract: "A closed-loop experiment coordinator for self-driving laboratories.",
        discussion: """
            Start a coordinator with `labloop serve --data DIR`, connect instrument agents and a model \
            server, then submit campaigns. `labloop demo` runs all of it on this machine in one command.
            """,
        subcommands: [Serve.self, ModelCommand.self, CampaignCommand.self, InstrumentsCommand.self, StatusCommand.self,
                      KeysCommand.self, AuditCommand.self,
                      Demo.self, BenchCommand.self])
}
