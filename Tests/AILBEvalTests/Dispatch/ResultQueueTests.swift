import Foundation
import Testing

@testable import AILBEval

@Suite struct ResultQueueTests {
    @Test func theConsumerTakesEverythingQueuedInOrderOfArrival() async {
        let queue = ResultQueue<Int>(capacity: 10)
        for n in 0..<5 { await queue.send(n) }
        #expect(await queue.next() == [0, 1, 2, 3, 4])
        await queue.send(5)
        queue.finish()
        #expect(await queue.next() == [5])
        #expect(await queue.next() == nil)
    }

    @Test func aWaitingConsumerWakesForOneElement() async {
        let queue = ResultQueue<Int>(capacity: 4)
        let taken = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(50))
        await queue.send(7)
        #expect(await taken.value == [7])
    }

    /// A full queue holds its senders until the consumer takes the queue; their elements come with it.
    @Test func sendersWaitWhileTheQueueIsFull() async {
        let queue = ResultQueue<Int>(capacity: 2)
        let sent = BackendLockedState(0)
        let senders = Task {
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<5 {
                    group.addTask {
                        await queue.send(n)
                        sent.write { $0 += 1 }
                    }
                }
            }
        }
        // Two are queued at once; the other three wait for the consumer.
        for _ in 0..<200 where sent.read({ $0 }) < 2 { try? await Task.sleep(for: .milliseconds(5)) }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(sent.read { $0 } == 2)
        let first = await queue.next() ?? []
        await senders.value
        #expect(sent.read { $0 } == 5)
        #expect(first.count == 5)
        #expect(Set(first) == Set(0..<5))
    }

    /// An interrupt cancels the senders; what they send is still delivered.
    @Test func aCancelledSenderStillDelivers() async {
        let queue = ResultQueue<Int>(capacity: 1)
        await queue.send(1)
        let blocked = Task { await queue.send(2) }
        blocked.cancel()
        try? await Task.sleep(for: .milliseconds(50))
        #expect(await queue.next() == [1, 2])
        await blocked.value
    }

    /// Finishing lets blocked senders go on, hands the consumer what they brought, and drops later sends.
    @Test func finishingReleasesSendersAndEndsAfterTheLastBatch() async {
        let queue = ResultQueue<Int>(capacity: 1)
        await queue.send(1)
        let blocked = Task { await queue.send(2) }
        try? await Task.sleep(for: .milliseconds(50))
        queue.finish()
        await blocked.value
        await queue.send(3)
        #expect(await queue.next() == [1, 2])
        #expect(await queue.next() == nil)
    }

    /// Many senders racing a consumer on a queue of one: every element arrives exactly once, none is left behind
    /// when the queue ends, and nobody waits forever.
    @Test func racingSendersLoseNothing() async {
        let queue = ResultQueue<Int>(capacity: 1)
        let senders = Task {
            await withTaskGroup(of: Void.self) { group in
                for sender in 0..<8 {
                    group.addTask {
                        for n in 0..<250 { await queue.send(sender * 1000 + n) }
                    }
                }
            }
            queue.finish()
        }
        var received: [Int] = []
        while let batch = await queue.next() { received += batch }
        await senders.value
        var expected: Set<Int> = []
        for sender in 0..<8 {
            for n in 0..<250 { expected.insert(sender * 1000 + n) }
        }
        #expect(received.count == 2000)
        #expect(Set(received) == expected)
    }

    @Test func finishingWakesAWaitingConsumerWithTheEnd() async {
        let queue = ResultQueue<Int>(capacity: 1)
        let taken = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(50))
        queue.finish()
        #expect(await taken.value == nil)
    }
}
