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

    @Test("each kept input passes the fuzz property: decoding and validation without a crash, canonical encoding", arguments: inputs)
    func replay(input: String) throws {
        // This test must only not crash.
        FuzzProperty.check(Array(try Data(contentsOf: Self.folder.appendingPathComponent(input))))
    }

    @Test("the core's validation decides every message vector exactly once")
    func validationHoldsOnVectors() throws {
        for vector in try SpecFiles.vectors("messages.json") {
            let frame = Hex.decode(vector["frame"]?.stringValue ?? "") ?? []
            FuzzProperty.check([1] + frame.dropFirst(7))
        }
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
