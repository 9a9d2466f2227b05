/// Decodes the messages of one connection, in the order they came.
///
/// Unlike `OFMessage.decode`, it keeps the storage the last decoded match and instructions were
/// written into, and writes the next ones into it again once nothing holds it any more (every
/// message decoded into it is gone). A connection that handles each message before it decodes
/// the next, a switch agent installing flows or a controller answering PACKET_INs, then decodes
/// FLOW_MOD, PACKET_IN and FLOW_REMOVED without allocating. While a message that used the
/// storage is kept, the next ones get storage of their own size, as `OFMessage.decode` gives
/// them. One per connection; it holds `TLVStorage.spareCapacity` bytes between messages.
public struct OFMessageDecoder {
    public var options: OFDecodeOptions
    private var spare = TLVSpare.reused

    public init(options: OFDecodeOptions = .controller) {
        self.options = options
    }

    /// Decodes one whole message (exactly `header.length` bytes, as `OFFramer` delivers them),
    /// with the errors of `OFMessage.decode`.
    public mutating func decode(_ bytes: ArraySlice<UInt8>) throws(OFDecodeError) -> OFDecodedMessage {
        try OFMessage.decode(bytes.span, options: options, spare: &spare)
    }

    public mutating func decode(_ bytes: [UInt8]) throws(OFDecodeError) -> OFDecodedMessage {
        try OFMessage.decode(bytes.span, options: options, spare: &spare)
    }

    public mutating func decode(_ frame: OFFrame) throws(OFDecodeError) -> OFDecodedMessage {
        try decode(frame.bytes)
    }

    /// Which storage the decoder would write into next (for tests).
    var spareIdentity: ObjectIdentifier? { spare.identity }
}
