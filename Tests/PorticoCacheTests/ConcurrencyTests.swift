import Foundation
import PorticoCache
import Synchronization
import Testing

struct Boom: Error {}

@Suite struct SingleFlightTests {
    @Test func concurrentMissesCauseOneRender() async throws {
        let flights = SingleFlight<String, Int>()
        let renders = Locked(0)
        let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await flights.run("key") {
                        renders.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(200))
                        return 42
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(renders.withLock { $0 } == 1)
        #expect(results.allSatisfy { $0.0 == 42 })
        #expect(results.filter { !$0.1 }.count == 1)
        #expect(!flights.isRunning("key"))
    }

    @Test func aFailureReachesEveryWaiter() async {
        let flights = SingleFlight<String, Int>()
        let failures = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        _ = try await flights.run("key") {
                            try await Task.sleep(for: .milliseconds(100))
                            throw Boom()
                        }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
        }
        #expect(failures.withLock { $0 } == 10)
    }
}

@Suite struct RenderGateTests {
    @Test func anonymousOverflowIsShedAndEditorsKeepTheirReserve() async throws {
        let gate = RenderGate(capacity: 4, editorReserve: 2, maximumQueue: 2, maximumWait: .milliseconds(150))
        // Anonymous requests fill their two slots.
        #expect(await gate.enter(isEditor: false))
        #expect(await gate.enter(isEditor: false))
        // An editor still gets in.
        #expect(await gate.enter(isEditor: true))
        // The next anonymous request waits, then is shed.
        let started = ContinuousClock.now
        #expect(!(await gate.enter(isEditor: false)))
        #expect(ContinuousClock.now - started >= .milliseconds(140))
        // A waiting anonymous request gets the slot another anonymous request frees in time.
        async let waiter = gate.enter(isEditor: false)
        try await Task.sleep(for: .milliseconds(30))
        gate.leave(isEditor: false)
        #expect(await waiter)
        #expect(gate.inFlight == 3)
        // A slot an editor frees is not one anonymous requests may use.
        gate.leave(isEditor: true)
        #expect(gate.inFlight == 2)
        #expect(!(await gate.enter(isEditor: false)))
    }

    @Test func aFullQueueShedsAtOnce() async {
        let gate = RenderGate(capacity: 1, editorReserve: 0, maximumQueue: 1, maximumWait: .seconds(5))
        #expect(await gate.enter(isEditor: false))
        async let queued = gate.enter(isEditor: false)
        try? await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        #expect(!(await gate.enter(isEditor: false)))
        #expect(ContinuousClock.now - started < .milliseconds(500))
        gate.leave(isEditor: false)
        #expect(await queued)
    }
}
