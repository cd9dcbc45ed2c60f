import Foundation
import Testing

@testable import AILBEval

/// Which process holds a run, and opening a database without writing to it.
@Suite struct ReadOnlyStoreTests {
    @Test func aProcessThatWeMayNotSignalIsAlive() {
        // kill(pid, 0) failing with EPERM: the process exists but belongs to another user (or namespace).
        #expect(ResultStore.processIsAlive(4242, probe: { _ in EPERM }))
        #expect(ResultStore.processIsAlive(4242, probe: { _ in 0 }))
        #expect(!ResultStore.processIsAlive(4242, probe: { _ in ESRCH }))
        // 0 and negative pids name process groups, never one process.
        #expect(!ResultStore.processIsAlive(0, probe: { _ in 0 }))
        #expect(!ResultStore.processIsAlive(-1, probe: { _ in 0 }))
        #expect(ResultStore.processIsAlive(Int(getpid()), probe: { _ in ESRCH }))
    }

    @Test func aMissingDatabaseIsNotCreatedForReading() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString).sqlite").path
        #expect(throws: StoreError.self) { try ResultStore(readingFrom: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func theImmutableURIEscapesWhatSQLiteWouldRead() {
        #expect(ResultStore.immutableURI("/tmp/a b/x?y#z%.sqlite") == "file:/tmp/a%20b/x%3Fy%23z%25.sqlite?immutable=1")
        #expect(ResultStore.immutableURI("ailb-eval.sqlite") == "file:ailb-eval.sqlite?immutable=1")
    }
}
