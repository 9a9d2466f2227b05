/// One captured frame, copied out of libpcap's buffer so it outlives the next read.
public struct PcapPacket: Sendable, Hashable {
    public var timestamp: PcapTimestamp
    /// The bytes captured, at most the snapshot length.
    public var data: [UInt8]
    /// The frame's length on the wire; larger than `data.count` when the capture cut it short.
    public var originalLength: Int

    public init(timestamp: PcapTimestamp, data: [UInt8], originalLength: Int? = nil) {
        self.timestamp = timestamp
        self.data = data
        self.originalLength = max(originalLength ?? data.count, data.count)
    }

    /// True when the capture holds fewer bytes than the frame had.
    public var isTruncated: Bool { originalLength > data.count }
}
