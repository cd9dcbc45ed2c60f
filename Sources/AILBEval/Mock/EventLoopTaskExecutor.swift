import NIOCore

/// Runs the jobs of the tasks that prefer it on one NIO event loop: a loopback server's handlers then
/// need no thread of Swift's cooperative pool, so a test process whose pool is busy (or blocked) does not
/// stall the servers its tests talk to, and an answer is written without a hop between threads.
@available(macOS 15, *)
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
