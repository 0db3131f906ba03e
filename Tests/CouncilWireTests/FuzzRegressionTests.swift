import CouncilVectors
import Foundation
import CouncilWire
import Testing

/// Inputs the fuzzer once crashed on, kept so that they never crash again.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Regressions")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("each kept input decodes without crashing and keeps the canonical-encoding property", arguments: inputs)
    func replay(input: String) throws {
        // This test must only not crash.
        DecoderProperty.check(Array(try Data(contentsOf: Self.folder.appendingPathComponent(input))))
    }

    @Test("the property holds on every vector, valid or not")
    func vectorsHoldTheProperty() throws {
        for file in ["frames.json", "messages.json", "handshake.json"] {
            for vector in try SpecFiles.vectors(file) {
                DecoderProperty.check(Hex.decode(vector["frame"]?.stringValue ?? "") ?? [])
            }
        }
    }
}
