/// Names of councils, bodies, seats, scopes and questions (§5.2, [ENC-5]).
///
/// One alphabet, lower-case ASCII letters, digits and '-', so that every name has exactly one
/// encoding: no case folding, no Unicode normalisation ("gyor", not "Győr"; the display name
/// lives in text fields).
public enum Identifier {
    public static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, first != UInt8(ascii: "-"), bytes.count <= Limits.maxIdentifierLength else {
            return false
        }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    public static func isValid(_ text: String) -> Bool { isValid(Array(text.utf8)) }
}
