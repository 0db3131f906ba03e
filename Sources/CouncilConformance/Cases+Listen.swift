import CouncilProtocol
import CouncilWire

/// Cases where the implementation dials the suite (`--listen`): it is configured with Szolnok as a
/// peer at the suite's address (Spec/CONFORMANCE.md §3).
enum ListenCases {
    static let all: [ConformanceCase] = [
        ConformanceCase("HS-1/dialler-sends-hello", "The implementation dials, sends HELLO first, and completes the handshake", role: .listen) { context in
            guard let dialled = context.dialled else { return .skip("needs --listen") }
            let peer = try await dialled()
            defer { peer.close() }
            let council = try await peer.acceptHandshake(as: "szolnok", key: try context.currentKey(of: "szolnok"), roster: context.roster)
            return council == ConformanceContract.council ? .pass : .fail(expected: "HELLO from budapest", actual: council)
        },
        ConformanceCase("LINK-1/dialler-sync-first", "After dialling, the implementation's first sealed frame is SYNC", role: .listen) { context in
            guard let dialled = context.dialled else { return .skip("needs --listen") }
            let peer = try await dialled()
            defer { peer.close() }
            _ = try await peer.acceptHandshake(as: "szolnok", key: try context.currentKey(of: "szolnok"), roster: context.roster)
            guard let event = try await peer.next(within: context.deadline(5)) else { return .fail(expected: "SYNC", actual: "nothing") }
            if case .frame(.sync) = event { return .pass }
            return .fail(expected: "SYNC first", actual: "\(event)")
        },
    ]
}
