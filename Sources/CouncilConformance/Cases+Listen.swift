import CouncilProtocol
import CouncilWire

/// Cases where the implementation dials the suite (`--listen`): it is configured with Szolnok as a
/// peer at the suite's address (Spec/CONFORMANCE.md [CONF-4]). Without `--listen` they skip (§3).
enum ListenCases {
    static let all: [ConformanceCase] = [
        ConformanceCase("HS-1/dialler-sends-hello", "The implementation dials, sends HELLO first, and completes the handshake") { context in
            guard let (peer, council) = try await acceptAsSzolnok(context) else { return .skip("needs --listen") }
            defer { peer.close() }
            return council == ConformanceContract.council ? .pass : .fail(expected: "HELLO from budapest", actual: council)
        },
        ConformanceCase("LINK-1/dialler-sync-first", "After dialling, the implementation's first sealed frame is SYNC") { context in
            guard let (peer, _) = try await acceptAsSzolnok(context) else { return .skip("needs --listen") }
            defer { peer.close() }
            guard let event = try await peer.next(within: context.deadline(5)) else { return .fail(expected: "SYNC", actual: "nothing") }
            if case .frame(.sync) = event { return .pass }
            return .fail(expected: "SYNC first", actual: "\(event)")
        },
    ]

    /// The implementation's newest dialled connection, with the handshake completed as Szolnok; nil
    /// without `--listen`. A connection dialled before an earlier case replaced Szolnok's key (a
    /// second round of `--repeat`) expects the old key and refuses the new one ([HS-13]), so a
    /// refused handshake gets one more try, on the next connection the implementation dials. Its
    /// wait between dials may have grown to 30 s ([NODE-3]) before the suite began listening, so
    /// each wait allows that and a little more.
    static func acceptAsSzolnok(_ context: CaseContext) async throws -> (TestPeer, String)? {
        guard let dialled = context.dialled else { return nil }
        let peer = try await dialled(context.deadline(35))
        do {
            return (peer, try await peer.acceptHandshake(as: "szolnok", key: try context.currentKey(of: "szolnok"), roster: context.roster))
        } catch {
            peer.close()
            let again = try await dialled(context.deadline(35))
            return (again, try await again.acceptHandshake(as: "szolnok", key: try context.currentKey(of: "szolnok"), roster: context.roster))
        }
    }
}
