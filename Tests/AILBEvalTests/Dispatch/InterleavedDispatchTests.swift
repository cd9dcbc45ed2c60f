import Foundation
import Testing

@testable import AILBEval

/// `all` and `consensus` dispatch against mock servers on loopback: every backend is asked from the first
/// requests on, each within its own slots, and an interrupt leaves unsent requests for `--resume`.
@Suite(.serialized) struct InterleavedDispatchTests {
    static func backends(_ count: Int, latencyMs: Double = 0, limit: Int? = nil) -> [BackendConfig] {
        (0..<count).map { index in
            var behavior = MockBehavior()
            behavior.seed = UInt64(index)
            behavior.latencyMs = latencyMs
            return BackendConfig(name: "b\(index)", kind: .mock, model: "m", maxConcurrency: limit, mock: behavior)
        }
    }

    static func plan(cases: Int, backends: [BackendConfig]) throws -> RunPlan {
        let lines = (0..<cases).map { "  - {id: c\($0), prompt: \"question \($0)\"}" }
        let suite = try SuiteLoader.parse(yaml: "name: s\ncases:\n" + lines.joined(separator: "\n") + "\n", file: "s.yaml")
        return RunPlan(suites: [suite], backends: backends, defaults: RunDefaults())
    }

    /// The results of a run, in the order they were delivered.
    final class Delivered: Sendable {
        let results = BackendLockedState<[WorkResult]>([])
        var all: [WorkResult] { results.read { $0 } }
        var count: Int { results.read { $0.count } }
    }

    /// Serves `backends` on one mock server that records what it receives, and a dispatcher for them. With
    /// `warmUpCases`, that many cases are sent first and forgotten: the connections they open are there
    /// when the run starts, so the server receives the first requests in the order they were sent rather
    /// than in the order their connections were set up.
    static func serve(
        _ backends: [BackendConfig], cases: Int, concurrency: Int, warmUpCases: Int = 0
    ) async throws -> (MockServer, Dispatcher) {
        let server = MockServer(backends: backends, suites: [], recordsRequests: true)
        _ = try await server.start()
        var served = backends
        for index in served.indices { served[index].urls = [try #require(server.baseURL(for: served[index].name))] }
        var defaults = RunDefaults()
        defaults.concurrency = concurrency
        defaults.retries = 0
        defaults.timeout = 60
        let client = ChatClient.forRun(backends: served, concurrency: concurrency, maxResponseBytes: 1 << 20)
        if warmUpCases > 0 {
            let warmUp = Dispatcher(
                plan: try plan(cases: warmUpCases, backends: served), defaults: defaults, client: client, environment: [:])
            await warmUp.run { _ in }
            server.clearReceivedRequests()
        }
        let dispatcher = Dispatcher(
            plan: try plan(cases: cases, backends: served), defaults: defaults, client: client, environment: [:])
        return (server, dispatcher)
    }

    static func counts(_ names: some Sequence<String>) -> [String: Int] {
        names.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    @Test func thirtyBackendsAreAllAskedAmongTheFirstRequests() async throws {
        let (server, dispatcher) = try await Self.serve(Self.backends(30), cases: 20, concurrency: 64)
        let delivered = Delivered()
        await dispatcher.run { result in delivered.results.write { $0.append(result) } }
        dispatcher.client.invalidate()
        await server.stop()
        let received = server.receivedRequests.map(\.backend)
        #expect(received.count == 600)
        // Not one backend after another: the first 3·30 requests the server saw went to every backend.
        #expect(Set(received.prefix(90)).count == 30, "\(Self.counts(received.prefix(90)))")
        #expect(Set(delivered.all.prefix(90).map(\.item.backendIndex)).count == 30)
        #expect(delivered.all.allSatisfy { $0.response.isSuccess })
        // One server for all: never more connections than requests in flight.
        #expect(server.connectionsAccepted <= 64, "\(server.connectionsAccepted)")
    }

    /// A queue that hands out a plan's items in batches of at most `limit` and counts its claims.
    final class BatchFeed: WorkFeed {
        let remaining: BackendLockedState<[WorkItem]>
        let claims = BackendLockedState(0)

        init(_ items: [WorkItem]) { remaining = BackendLockedState(items) }

        func next(limit: Int) async -> [WorkItem]? {
            claims.write { $0 += 1 }
            return remaining.write { items in
                guard !items.isEmpty else { return nil }
                defer { items.removeFirst(min(limit, items.count)) }
                return Array(items.prefix(limit))
            }
        }
    }

    @Test func aFeedIsSentBatchAfterBatchEachItemOnceWithTheSlotsKeptFull() async throws {
        let (server, dispatcher) = try await Self.serve(Self.backends(3, latencyMs: 20), cases: 50, concurrency: 8)
        let items = dispatcher.planItems()
        let feed = BatchFeed(items)
        let delivered = Delivered()
        await dispatcher.run(feed: feed) { result in delivered.results.write { $0.append(result) } }
        dispatcher.client.invalidate()
        await server.stop()
        #expect(delivered.count == 150)
        #expect(Set(delivered.all.map(\.item)) == Set(items))
        #expect(delivered.all.allSatisfy { $0.response.isSuccess })
        // Batches of 32 (four times the slots, at least 32), then the one that says there is no more.
        #expect(feed.claims.read { $0 } == 6)
        #expect(server.receivedRequests.count == 150)
    }

    @Test func backendsShareTheRunsSlotsInTurnWhenTheyCannotAllHaveTheirOwn() async throws {
        // Each backend takes 4 at once, but the run allows 6 in all: two each, not four for the first. The
        // answers take 1.5 s so that, even on a loaded machine, no seventh request is sent (a slot freed)
        // before the server has seen the first six.
        let (server, dispatcher) = try await Self.serve(
            Self.backends(3, latencyMs: 1500, limit: 4), cases: 4, concurrency: 6, warmUpCases: 2)
        await dispatcher.run { _ in }
        dispatcher.client.invalidate()
        await server.stop()
        let received = server.receivedRequests.map(\.backend)
        #expect(received.count == 12)
        #expect(Self.counts(received.prefix(6)) == ["b0": 2, "b1": 2, "b2": 2])
    }

    /// The case of a slow pool: 3 backends that take 4 requests at a time, 100 ms each, 600 requests. Ideally
    /// 5.0 s: every backend busy with 4 requests from the start to the end. The time is printed, not checked.
    @Test func slowBackendsWithFewSlotsAreEachKeptBusyFromTheStart() async throws {
        let (server, dispatcher) = try await Self.serve(
            Self.backends(3, latencyMs: 100, limit: 4), cases: 200, concurrency: 16, warmUpCases: 4)
        let delivered = Delivered()
        let mostInFlight = BackendLockedState([0, 0, 0])
        let watching = Task {
            while !Task.isCancelled {
                let now = dispatcher.inFlight.sendTimes()
                mostInFlight.write { most in
                    for (index, times) in now { most[index] = max(most[index], times.count) }
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await dispatcher.run { result in delivered.results.write { $0.append(result) } }
        }
        watching.cancel()
        dispatcher.client.invalidate()
        await server.stop()
        // How far one backend's answers ever ran ahead of another's: 4 while all keep pace.
        var done = [0, 0, 0]
        var widest = 0
        for result in delivered.all {
            done[result.item.backendIndex] += 1
            widest = max(widest, done.max()! - done.min()!)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "benchmark: 3 backends × 4 slots × 100 ms, 600 requests: %.2f s (ideal 5.0 s); answers at most %d apart",
                seconds, widest))
        let received = server.receivedRequests.map(\.backend)
        // The load split evenly, all three busy from the start (the first 12 requests are 4 for each), and
        // never more than its 4 at once on one backend.
        #expect(Self.counts(received) == ["b0": 200, "b1": 200, "b2": 200])
        #expect(Self.counts(received.prefix(12)) == ["b0": 4, "b1": 4, "b2": 4])
        #expect(mostInFlight.read { $0 } == [4, 4, 4])
        #expect(delivered.all.allSatisfy { $0.response.isSuccess })
    }

    @Test func anInterruptCancelsTheRequestsInFlightAndSendsNoMore() async throws {
        let (server, dispatcher) = try await Self.serve(Self.backends(2, latencyMs: 5000), cases: 10, concurrency: 4)
        let delivered = Delivered()
        let run = Task { await dispatcher.run { result in delivered.results.write { $0.append(result) } } }
        #expect(await eventually { server.requestsReceived == 4 })
        run.cancel()
        await run.value
        dispatcher.client.invalidate()
        await server.stop()
        // The four in flight end cancelled (and are delivered, to be stored); the other sixteen are never sent.
        #expect(delivered.count == 4)
        #expect(delivered.all.allSatisfy { $0.response.errorClass == .cancelled })
        #expect(server.requestsReceived == 4)
        #expect(Self.counts(delivered.all.map { "b\($0.item.backendIndex)" }) == ["b0": 2, "b1": 2])
    }
}
