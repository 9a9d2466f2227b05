/// One framed message: its header and all of its bytes (header included), ready for
/// `OFMessage.decode` and, on error, for `OFDecodeError.reply(to:)`.
public struct OFFrame: Hashable, Sendable {
    public let header: OFHeader
    /// The whole message. It shares the framer's buffer (a message is not copied out of the
    /// stream): keep it past the next `nextMessage` or `append` only as an `Array`.
    public let bytes: ArraySlice<UInt8>

    /// The bytes after the header.
    public var body: ArraySlice<UInt8> { bytes.dropFirst(OFHeader.length) }
}

/// A length that cannot be framed: the stream is out of step and the connection must close.
public struct OFFramingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The offending length field.
    public var length: Int
    /// The 8 header bytes that carried it.
    public var header: [UInt8]

    /// OFPET_BAD_REQUEST/OFPBRC_BAD_LEN, which may be sent before closing.
    public var code: OFErrorCode { .badRequest(.badLen) }

    public var description: String { "unframeable OpenFlow length \(length)" }
}

/// Splits a TCP byte stream into OpenFlow messages.
///
/// Feed whatever `read` returned with `append`, then call `nextMessage()` until it returns nil.
/// Handles partial messages and many messages per read. A length below 8 or above
/// `maxLength` throws `OFFramingError` — then and from then on, since the stream cannot be
/// resynchronised; the caller closes the connection.
public struct OFFramer: Sendable {
    /// The largest message OpenFlow's 16-bit length can describe.
    public static let maxMessageLength = 65535

    public let maxLength: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: OFFramingError?

    /// `maxLength` may be lowered below 65535 to bound what one peer can make us hold.
    public init(maxLength: Int = OFFramer.maxMessageLength) {
        self.maxLength = min(max(maxLength, OFHeader.length), Self.maxMessageLength)
    }

    /// Bytes received but not yet returned as messages.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append(_ bytes: [UInt8]) {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, nil when more bytes are needed.
    public mutating func nextMessage() throws(OFFramingError) -> OFFrame? {
        if let failure { throw failure }
        guard buffer.count - start >= OFHeader.length else { return nil }
        let length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length >= OFHeader.length, length <= maxLength else {
            let error = OFFramingError(length: length, header: Array(buffer[start..<(start + OFHeader.length)]))
            failure = error
            throw error
        }
        guard buffer.count - start >= length else { return nil }
        let bytes = buffer[start..<(start + length)]
        start += length
        // The header parses: 8 bytes are there.
        return OFFrame(header: OFHeader(bytes)!, bytes: bytes)
    }

    /// Drops what was returned. Done when more bytes come, not as the last message is returned:
    /// that message's bytes still share the buffer then, and emptying it would copy it.
    private mutating func compactIfWorthIt() {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}
