import AILBEval
import ArgumentParser

extension RunMode: ExpressibleByArgument {}
extension EquivalenceProfile: ExpressibleByArgument {}
extension GateBasis: ExpressibleByArgument {}
extension RepeatSeed: ExpressibleByArgument {}
extension ReportFileFormat: ExpressibleByArgument {}
extension ComparisonReport.Format: ExpressibleByArgument {}
