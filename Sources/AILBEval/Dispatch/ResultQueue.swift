/// A bounded queue from many senders to one consumer, which takes everything waiting at once.
///
/// It replaces a rendezvous channel between the requests of a run and its writer: a sender hands its result
/// over without waiting while fewer than `capacity` are queued (there a rendezvous suspended both sides for
/// every result), and the consumer wakes once per batch rather than once per result. A full queue makes
/// senders wait, so results never pile up faster than the store writes them.
///
/// A send is not cancellable: a request that an interrupt cut short is still recorded (as cancelled). After
/// `finish()` sends are dropped, as nobody takes them any more.
final class ResultQueue<Element: Sendable>: Sendable {
    private struct State: Sendable {
        var queued: [Element] = []
        /// Senders that found the queue full, with what they send; they go on once it is taken.
        var blocked: [(Element, UnsafeContinuation<Void, Never>)] = []
        var consumer: UnsafeContinuation<[Element]?, Never>?
        var finished = false
    }

    let capacity: Int
    private let state = BackendLockedState(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `element`; waits only while the queue is full.
    func send(_ element: Element) async {
        switch offer(element, sender: nil) {
        case .taken: return
        case .handed(let consumer): return consumer.resume(returning: [element])
        case .full: break
        }
        await withUnsafeContinuation { (sender: UnsafeContinuation<Void, Never>) in
            // Offered again: the queue may have been taken, or finished, in between.
            switch offer(element, sender: sender) {
            case .taken: sender.resume()
            case .handed(let consumer):
                consumer.resume(returning: [element])
                sender.resume()
            case .full: break
            }
        }
    }

    /// What became of an element offered to the queue.
    private enum Offer {
        /// Queued, or dropped after `finish()`.
        case taken
        /// The consumer waits, which it does only on an empty queue: the element is its whole batch.
        case handed(UnsafeContinuation<[Element]?, Never>)
        /// The queue is full; `sender`, if given, waits with it among the blocked.
        case full
    }

    private func offer(_ element: Element, sender: UnsafeContinuation<Void, Never>?) -> Offer {
        state.write { state in
            if state.finished { return .taken }
            if let consumer = state.consumer {
                state.consumer = nil
                return .handed(consumer)
            }
            if state.queued.count < capacity {
                state.queued.append(element)
                return .taken
            }
            if let sender { state.blocked.append((element, sender)) }
            return .full
        }
    }

    /// Everything queued, in order of arrival (waiting until there is something); nil once finished and empty.
    func next() async -> [Element]? {
        if let taken = state.write({ Self.take(&$0) }) { return taken.hand() }
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<[Element]?, Never>) in
            let taken = state.write { state -> Taken? in
                if let taken = Self.take(&state) { return taken }
                state.consumer = continuation
                return nil
            }
            if let taken { continuation.resume(returning: taken.hand()) }
        }
    }

    /// Ends the queue: the consumer gets what is queued, then nil; waiting and later senders go on at once.
    func finish() {
        let (consumer, senders) = state.write {
            state -> (UnsafeContinuation<[Element]?, Never>?, [UnsafeContinuation<Void, Never>]) in
            state.finished = true
            let consumer = state.consumer
            state.consumer = nil
            // A consumer waits only on an empty queue with nobody blocked; otherwise it takes these next.
            state.queued += state.blocked.map(\.0)
            let senders = state.blocked.map(\.1)
            state.blocked = []
            return (consumer, senders)
        }
        for sender in senders { sender.resume() }
        consumer?.resume(returning: nil)
    }

    /// What the consumer takes at once: the batch, and the senders it lets go on.
    private struct Taken {
        var batch: [Element]?
        var released: [UnsafeContinuation<Void, Never>]

        /// Lets the released senders go on, and gives the batch (nil: the end).
        func hand() -> [Element]? {
            for sender in released { sender.resume() }
            return batch
        }
    }

    /// What the consumer takes now (the queue with the elements of blocked senders, or the end), or nil when
    /// it must wait.
    private static func take(_ state: inout State) -> Taken? {
        if state.queued.isEmpty && state.blocked.isEmpty {
            return state.finished ? Taken(batch: nil, released: []) : nil
        }
        var batch = state.queued
        state.queued = []
        batch += state.blocked.map(\.0)
        let released = state.blocked.map(\.1)
        state.blocked = []
        return Taken(batch: batch, released: released)
    }
}
