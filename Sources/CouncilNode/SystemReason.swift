import Foundation
import NIOCore
import NIOPosix

extension Error {
    /// Why a file could not be read or written, in the operating system's words ("Is a directory"):
    /// Foundation on Linux describes these errors only as "(NSCocoaErrorDomain error 256.)". Errors
    /// that are not Foundation's keep their own description.
    public var fileReason: String {
        if let posix = self as? POSIXError ?? (self as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        if let cocoa = self as? CocoaError {
            return cocoa.code == .fileReadInapplicableStringEncoding ? "it is not UTF-8 text" : cocoa.localizedDescription
        }
        return "\(self)"
    }

    /// A connection's failure in a few words ("Connection refused"), not NIO's whole error value.
    public var networkReason: String {
        if let failure = self as? NIOConnectionError {
            if let first = failure.connectionErrors.first { return first.error.networkReason }
            return "cannot resolve \(failure.host)"
        }
        if let error = self as? IOError { return String(cString: strerror(error.errnoCode)) }
        if case .connectTimeout(let limit)? = self as? ChannelError { return "no answer within \(limit.nanoseconds / 1_000_000) ms" }
        return "\(self)"
    }
}
