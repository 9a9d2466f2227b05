import NIOCore
import OpenFlow

/// The channel handler under a `SwitchSession`: frames the byte stream and hands each message
/// to the session. A stream that cannot be framed is out of step for good, so it closes.
final class SwitchSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let session: SwitchSession
    var framer = OFFramer()
    /// Reuses its storage from message to message: the session is done with each before the next.
    var decoder = OFMessageDecoder(options: .controller)

    init(session: SwitchSession) { self.session = session }

    func channelActive(context: ChannelHandlerContext) {
        session.start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.closed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { framer.append($0) }
        do {
            while let frame = try framer.nextMessage() {
                session.received(frame, decoder: &decoder)
            }
        } catch {
            session.log("openflow: \(session.name): \(error) (header \(error.header.map { String($0, radix: 16) }.joined(separator: " "))); closing")
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.log("openflow: \(session.name): \(error); closing")
        context.close(promise: nil)
    }
}
