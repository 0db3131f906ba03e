import Foundation

extension Error {
    /// Why a file could not be read or written, in the operating system's words ("Is a directory"):
    /// Foundation on Linux describes these errors only as "(NSCocoaErrorDomain error 256.)".
    public var fileReason: String {
        if let posix = self as? POSIXError ?? (self as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return localizedDescription
    }
}
