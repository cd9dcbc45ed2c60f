import AILBEval
import ArgumentParser

extension RunMode: ExpressibleByArgument {}
extension EquivalenceProfile: ExpressibleByArgument {}
extension GateBasis: ExpressibleByArgument {}
extension RepeatSeed: ExpressibleByArgument {}
extension ReportFileFormat: ExpressibleByArgument {}
extension ComparisonReport.Format: ExpressibleByArgument {}

/// A library check of a flag's value, reported as a mistake on the command line (exit 2, with the usage).
func validated(_ check: () throws(InputError) -> Void) throws {
    do {
        try check()
    } catch {
        throw ValidationError(error.message)
    }
}

/// `--run-key`, checked as the library checks it.
func checkRunKey(_ key: String) throws {
    try validated { () throws(InputError) in try RunOptions.checkRunKey(key) }
}
