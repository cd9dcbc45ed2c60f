import Foundation
import Testing

@testable import AILBEval

/// Which request `all` and `consensus` runs send next: backends take turns among those with a free slot.
@Suite struct InterleavedScheduleTests {
    static func plan(cases: Int, backends limits: [Int?]) throws -> RunPlan {
        let lines = (0..<cases).map { "  - {id: c\($0), prompt: question \($0)}" }
        let suite = try SuiteLoader.parse(yaml: "name: s\ncases:\n" + lines.joined(separator: "\n") + "\n", file: "s.yaml")
        let backends = limits.enumerated().map { BackendConfig(name: "b\($0)", model: "m", maxConcurrency: $1) }
        return RunPlan(suites: [suite], backends: backends, defaults: RunDefaults())
    }

    /// Hands out requests until none is free, as (backend, case) pairs.
    static func drain(_ schedule: inout InterleavedSchedule) -> [[Int]] {
        var handedOut: [[Int]] = []
        while let request = schedule.next() { handedOut.append([request.item.backendIndex, request.item.casePosition]) }
        return handedOut
    }

    @Test func backendsTakeTurnsFromTheFirstRequestEachInPlanOrder() throws {
        var schedule = InterleavedSchedule(plan: try Self.plan(cases: 5, backends: [nil, nil, nil]), items: nil, concurrency: 7)
        #expect(Self.drain(&schedule) == [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1], [0, 2]])
    }

    @Test func aFreedSlotGoesToTheNextBackendInTurnThatHasRoomAndWork() throws {
        // b1 takes one request at a time.
        var schedule = InterleavedSchedule(plan: try Self.plan(cases: 4, backends: [nil, 1, nil]), items: nil, concurrency: 5)
        // b1 is full after its first request: the others share the rest.
        #expect(Self.drain(&schedule) == [[0, 0], [1, 0], [2, 0], [0, 1], [2, 1]])
        // b1's answer frees a slot; the turn is b0's (after b2), and b0 has room.
        schedule.answered(backendIndex: 1)
        #expect(Self.drain(&schedule) == [[0, 2]])
        // b0's answer: the turn is b1's now, which has room again.
        schedule.answered(backendIndex: 0)
        #expect(Self.drain(&schedule) == [[1, 1]])
    }

    @Test func aBackendsOwnLimitNeverExceedsTheRunsAndIsKeptWhateverTheOthersDo() throws {
        var schedule = InterleavedSchedule(plan: try Self.plan(cases: 50, backends: [2, 100]), items: nil, concurrency: 6)
        let first = Self.drain(&schedule)
        #expect(first.filter { $0[0] == 0 }.count == 2)
        #expect(first.filter { $0[0] == 1 }.count == 4)
        // Whatever finishes, b0 never has more than 2 in flight.
        var inFlight = [2, 4]
        for round in 0..<40 {
            let finished = round % 3 == 0 ? 0 : 1
            guard inFlight[finished] > 0 else { continue }
            schedule.answered(backendIndex: finished)
            schedule.delivered()
            inFlight[finished] -= 1
            for request in Self.drain(&schedule) { inFlight[request[0]] += 1 }
            #expect(inFlight[0] <= 2 && inFlight[0] + inFlight[1] <= 6, "\(inFlight)")
        }
    }

    @Test func answersNotYetTakenHoldBackNewRequests() throws {
        var schedule = InterleavedSchedule(plan: try Self.plan(cases: 10, backends: [nil]), items: nil, concurrency: 2)
        #expect(Self.drain(&schedule).count == 2)
        schedule.answered(backendIndex: 0)
        schedule.answered(backendIndex: 0)
        // Both slots are free, but both answers still wait for the consumer: a slow store slows the senders.
        #expect(Self.drain(&schedule).isEmpty)
        // One taken: requests go out again, up to the run's slots.
        schedule.delivered()
        #expect(Self.drain(&schedule).count == 2)
    }

    @Test func aListOfItemsIsSentInListOrderPerBackendAndEndsWhenEveryItemIsOut() throws {
        let items = [
            WorkItem(casePosition: 3, repeatIndex: 0, backendIndex: 1), WorkItem(casePosition: 0, repeatIndex: 1, backendIndex: 0),
            WorkItem(casePosition: 2, repeatIndex: 0, backendIndex: 1), WorkItem(casePosition: 4, repeatIndex: 0, backendIndex: 0),
        ]
        var schedule = InterleavedSchedule(plan: try Self.plan(cases: 5, backends: [nil, nil]), items: items, concurrency: 8)
        #expect(!schedule.isFinished)
        var handedOut: [WorkItem] = []
        while let request = schedule.next() { handedOut.append(request.item) }
        #expect(handedOut == [items[1], items[0], items[3], items[2]])
        #expect(schedule.isFinished)
        // An empty list (or a backend without items) has nothing to hand out.
        #expect(InterleavedSchedule(plan: try Self.plan(cases: 5, backends: [nil]), items: [], concurrency: 8).isFinished)
    }

    @Test func replicasAreUsedInTurn() throws {
        var schedule = InterleavedSchedule(plan: try Self.plan(cases: 3, backends: [nil]), items: nil, concurrency: 8)
        var replicas: [Int] = []
        while let request = schedule.next() { replicas.append(request.replica) }
        #expect(replicas == [0, 1, 2])
    }
}
