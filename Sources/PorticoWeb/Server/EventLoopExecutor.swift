import NIOCore

/// Runs a connection's tasks on the connection's own event loop thread.
///
/// Hummingbird answers each connection in a task. On the global executor every request
/// crossed threads twice (from the event loop that read it to a pool thread, and back to
/// write the response), each crossing a wake-up through the kernel: on two cores that was
/// more CPU than rendering the page. With this preference, reading, routing, rendering and
/// writing stay on one thread; only database reads still go to their own queue and back.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
