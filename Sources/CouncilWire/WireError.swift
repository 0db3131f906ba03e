/// A fault in bytes that came from a peer, with the registry code the Spec assigns to it.
///
/// The detail is for logs and ERROR frames; callers decide by `code` alone.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var detail: String

    public init(_ code: ErrorCode, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.name): \(detail)" }
}
