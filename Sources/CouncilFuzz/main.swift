// libFuzzer entry point for the wire decoder and the core's validation (FuzzProperty). Build and run with Tests/Fuzz/run; a plain
// `swift build` makes a harmless binary that does nothing.
import CouncilVectors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    FuzzProperty.check(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}
