import Foundation
import NIOCore
import NIOHTTP1

/// The last handler of a `LoopbackHTTPServer` connection, behind NIOHTTP1's server handlers (parser,
/// encoder, and pipelining assistance, so requests arrive one at a time and answers leave in order).
///
/// Each request runs the server's handler in a task of its own, on the connection's event loop; the answer
/// is written there too, a scripted body only as fast as the connection drains it. When the connection
/// closes, the handler call in flight is cancelled and the script stops: a hanging fault ends with its client.
final class LoopbackHTTPConnection: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: LoopbackHTTPServer.Handler
    private let closeAfterResponses: Int
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var requestsRead = 0
    /// Set once an answer is to close the connection: requests read after it are dropped.
    private var isClosing = false
    /// The handler call in flight, cancelled when the connection closes.
    private var responding: Task<Void, Never>?
    /// The scripted body being written, if any, and whether the connection closes after it.
    private var cursor: LoopbackBodyCursor?
    private var closesAfterBody = false
    private var pause: Scheduled<Void>?
    private var lastWrite: EventLoopFuture<Void>?
    /// Set while `pump` runs, which a writability change during its own flush would otherwise re-enter.
    private var isPumping = false

    init(respond: @escaping LoopbackHTTPServer.Handler, closeAfterResponses: Int) {
        self.respond = respond
        self.closeAfterResponses = closeAfterResponses
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                // The client waits for this before it sends the body (curl does for large bodies).
                let proceed = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(proceed)), promise: nil)
            }
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head, !isClosing else { return }
            self.head = nil
            requestsRead += 1
            let closes = !head.isKeepAlive || requestsRead >= closeAfterResponses
            isClosing = closes
            let request = LoopbackHTTPRequest(head: head, body: Data(body.readableBytesView))
            let answered = context.eventLoop.makePromise(of: LoopbackHTTPResponse.self)
            responding = Self.run(respond, request, on: context.eventLoop, answering: answered)
            answered.futureResult.assumeIsolated().whenSuccess { response in
                self.responding = nil
                guard context.channel.isActive else { return }
                self.send(response, answering: head, closes: closes, context: context)
            }
        }
    }

    /// Calls `respond` in a task that runs on `loop` where the platform allows it.
    private static func run(
        _ respond: @escaping LoopbackHTTPServer.Handler, _ request: LoopbackHTTPRequest, on loop: any EventLoop,
        answering answered: EventLoopPromise<LoopbackHTTPResponse>
    ) -> Task<Void, Never> {
        if #available(macOS 15, *) {
            return Task(executorPreference: EventLoopTaskExecutor(loop)) { answered.succeed(await respond(request)) }
        }
        return Task { answered.succeed(await respond(request)) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, cursor != nil { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        responding?.cancel()
        responding = nil
        pause?.cancel()
        pause = nil
        cursor = nil
        lastWrite = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func send(
        _ response: LoopbackHTTPResponse, answering request: HTTPRequestHead, closes: Bool, context: ChannelHandlerContext
    ) {
        var headers = response.headers
        if !request.isKeepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if request.version.minor == 0 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        switch response.body {
        case .whole(let bytes):
            headers.replaceOrAdd(name: "content-length", value: String(bytes.count))
            let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if !bytes.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            }
            finish(closes: closes, context: context)
        case .script(let steps, let declaredLength):
            if let declaredLength {
                headers.replaceOrAdd(name: "content-length", value: String(declaredLength))
            } else {
                headers.remove(name: "content-length")
                headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            }
            let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
            lastWrite = context.writeAndFlush(wrapOutboundOut(.head(head)))
            cursor = LoopbackBodyCursor(steps: steps)
            closesAfterBody = closes
            pump(context: context)
        }
    }

    private func finish(closes: Bool, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if closes { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    /// Writes the script on while the connection takes more; a pause or a full socket buffer ends the turn,
    /// and the timer or `channelWritabilityChanged` resumes it.
    private func pump(context: ChannelHandlerContext) {
        guard !isPumping, pause == nil else { return }
        isPumping = true
        defer { isPumping = false }
        while context.channel.isActive, context.channel.isWritable, let action = cursor?.next() {
            switch action {
            case .write(let buffer):
                lastWrite = context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
            case .pause(let delay):
                pause = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                    self.pause = nil
                    self.pump(context: context)
                }
                return
            case .hangUp:
                // Only once the bytes before it are out: closing drops the writes still queued.
                cursor = nil
                let written = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            case .end:
                cursor = nil
                lastWrite = nil
                finish(closes: closesAfterBody, context: context)
                return
            }
        }
    }
}

@available(*, unavailable)
extension LoopbackHTTPConnection: Sendable {}

/// Walks a scripted body: what to write next, when to pause, when to hang up, when it is over.
struct LoopbackBodyCursor {
    enum Action {
        case write(ByteBuffer)
        case pause(TimeAmount)
        case hangUp
        case end
    }

    private let steps: [LoopbackHTTPResponse.Step]
    private var index = 0
    private var repeatsWritten = 0
    /// The bytes of the `repeated` step in progress, converted once and written as often as asked.
    private var repeatedBuffer: ByteBuffer?

    init(steps: [LoopbackHTTPResponse.Step]) { self.steps = steps }

    mutating func next() -> Action {
        while index < steps.count {
            switch steps[index] {
            case .bytes(let bytes):
                index += 1
                if !bytes.isEmpty { return .write(ByteBuffer(bytes: bytes)) }
            case .repeated(let bytes, let times) where repeatsWritten < times && !bytes.isEmpty:
                let buffer = repeatedBuffer ?? ByteBuffer(bytes: bytes)
                repeatedBuffer = buffer
                repeatsWritten += 1
                return .write(buffer)
            case .repeated:
                index += 1
                repeatsWritten = 0
                repeatedBuffer = nil
            case .pause(let seconds):
                index += 1
                return .pause(.nanoseconds(Int64(seconds * 1_000_000_000)))
            case .hangUp:
                index = steps.count
                return .hangUp
            }
        }
        return .end
    }
}
