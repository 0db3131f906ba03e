import ArgumentParser

/// `council`, the one command-line tool: operator actions on a daemon, local federations,
/// replays, the conformance suite, the simulator, and the Spec's vectors.
@main
struct Council: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "council",
        abstract: "Operate and test council-protocol nodes.",
        discussion: """
            The council protocol carries mandates, recalls and resolutions between workers' \
            councils, as the councils of 1956 did by radio. See Spec/PROTOCOL.md.
            """,
        subcommands: [
            Up.self, Down.self, Status.self, Mandates.self, Resolutions.self, MandateCommand.self, RecallCommand.self, ProposeCommand.self, VoteCommand.self,
            CloseCommand.self, ReplaceCommand.self, DissolveCommand.self, Keygen.self, Replay.self, Conformance.self, Simulate.self, Vectors.self,
        ]
    )
}
