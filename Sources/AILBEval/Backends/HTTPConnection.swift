import Foundation
import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection of an `HTTPConnectionPool`: the last handler of a channel set up
/// with NIOHTTP1's client handlers (request encoder, `HTTPResponseDecoder`). It serves one exchange at
/// a time: writes the request (head, body, end, flushed once: one `writev`), folds the response into
/// the exchange's `ChatTransfer` as it arrives (so a stream's first token is timed when it arrives, and
/// a body over the cap stops the download at once), and hands itself back to the pool when the
/// response ends on a connection that stays open.
///
/// Everything but `execute`, `abort` and `close` runs on the channel's event loop, which is what makes
/// the unchecked `Sendable` sound: those three only hop onto the loop or close the channel.
final class HTTPConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let pool: HTTPConnectionPool
    private let channel: any Channel
    private var context: ChannelHandlerContext?
    private var exchange: HTTPExchange?
    private var served = 0
    private var keepAlive = true
    private var isClosing = false
    /// Why the channel is closing, when it is an error (the decoder's, or a socket's).
    private var failure: TransportFailure?

    init(pool: HTTPConnectionPool, channel: any Channel) {
        self.pool = pool
        self.channel = channel
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Runs `exchange` on this connection (from any thread).
    func execute(_ exchange: HTTPExchange) {
        if channel.eventLoop.inEventLoop {
            start(exchange)
        } else {
            channel.eventLoop.execute { self.start(exchange) }
        }
    }

    /// Cancels the exchange in flight, if any, and closes the connection (from any thread).
    func abort() {
        channel.eventLoop.execute {
            self.isClosing = true
            self.exchange?.cancel()
            self.channel.close(promise: nil)
        }
    }

    /// Closes the connection (from any thread).
    func close() {
        channel.close(promise: nil)
    }

    private func start(_ exchange: HTTPExchange) {
        guard let context, !isClosing, channel.isActive, self.exchange == nil else {
            // Closed between the pool choosing it and now: the pool hears of it from `channelInactive`.
            pool.execute(exchange)
            return
        }
        guard exchange.attach(to: channel) else {
            pool.release(self)
            return
        }
        exchange.armTimer(on: context.eventLoop)
        self.exchange = exchange
        exchange.onReusedConnection = served > 0
        served += 1
        keepAlive = true
        context.write(wrapOutboundOut(.head(exchange.request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.request.body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.whenFailure { error in
            self.failure = self.failure ?? NIOChatTransport.failure(error)
            self.channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let exchange else {
            // Bytes nobody asked for: the connection cannot be trusted with the next request.
            isClosing = true
            context.close(promise: nil)
            return
        }
        switch part {
        case .head(let head):
            keepAlive = head.isKeepAlive
            exchange.transfer.head(
                status: Int(head.status.code), contentType: head.headers.first(name: "content-type"),
                retryAfter: head.headers.first(name: "retry-after"),
                headers: Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first }))
        case .body(let buffer):
            let goOn = buffer.withUnsafeReadableBytes { exchange.transfer.body($0, elapsedMs: exchange.elapsedMs) }
            if !goOn {
                // Too large, or a broken stream: the rest of the body is not wanted, so the connection goes.
                self.exchange = nil
                isClosing = true
                exchange.finish()
                context.close(promise: nil)
            }
        case .end:
            self.exchange = nil
            exchange.transfer.complete(nil)
            // Back to the pool before the task resumes, so that its next request finds this connection idle.
            if keepAlive, !isClosing {
                pool.release(self)
            } else {
                isClosing = true
                context.close(promise: nil)
            }
            exchange.finish()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure = failure ?? NIOChatTransport.failure(error)
        isClosing = true
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosing = true
        if let exchange {
            self.exchange = nil
            if !exchange.transfer.hasResponse, exchange.onReusedConnection, exchange.resends == 0,
                exchange.detachForResend()
            {
                // The server closed this idle connection as we reused it: send the request on another.
                pool.closed(self)
                pool.execute(exchange)
                context.fireChannelInactive()
                return
            }
            exchange.transfer.complete(failure ?? NIOChatTransport.connectionClosed)
            exchange.finish()
        }
        pool.closed(self)
        context.fireChannelInactive()
    }
}
