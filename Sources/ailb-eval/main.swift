import AILBEval
import ArgumentParser
import Foundation

// Exit codes are the tool's contract with CI (see ExitStatus); ArgumentParser's own codes are mapped onto it.
// Async commands are called through `execute()` so that their async work is the one that runs.
do {
    var command = try AILBEvalCommand.parseAsRoot()
    switch command {
    case let run as RunCommand: try await run.execute()
    case let mock as MockCommand: try await mock.execute()
    case let backends as BackendsCommand: try await backends.execute()
    default: try command.run()
    }
} catch {
    exit(CommandErrors.report(error))
}
