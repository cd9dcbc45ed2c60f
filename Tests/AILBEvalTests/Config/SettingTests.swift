import Testing

@testable import AILBEval

/// One rule per setting, whether the value comes from a file or from a flag.
@Suite struct SettingTests {
    @Test func aFlagIsRefusedByTheRuleOfTheKeyItOverrides() throws {
        let backend = "backends:\n  - {name: b, kind: mock, model: m}\n"
        for (yaml, flags, fileMessage, flagMessage) in [
            (
                "consensus: {threshold: 1.5}", { (o: inout RunOptions) in o.threshold = 1.5 },
                "'threshold' must be between 0 and 1, found 1.5", "--threshold must be between 0 and 1, found 1.5"
            ),
            (
                "defaults: {timeout: 0}", { (o: inout RunOptions) in o.timeout = 0 },
                "'timeout' must be greater than 0, found 0", "--timeout must be greater than 0, found 0"
            ),
            (
                "defaults: {concurrency: 0}", { (o: inout RunOptions) in o.concurrency = 0 },
                "'concurrency' must be at least 1, found 0", "--concurrency must be at least 1, found 0"
            ),
            (
                "defaults: {repeat: 0}", { (o: inout RunOptions) in o.repeats = 0 },
                "'repeat' must be at least 1, found 0", "--repeat must be at least 1, found 0"
            ),
            (
                "defaults: {retries: -1}", { (o: inout RunOptions) in o.retries = -1 },
                "'retries' must be at least 0, found -1", "--retries must be at least 0, found -1"
            ),
            (
                "gates: {min_agreement: 2}", { (o: inout RunOptions) in o.minAgreement = 2 },
                "'min_agreement' must be between 0 and 1, found 2", "--min-agreement must be between 0 and 1, found 2"
            ),
            (
                "gates: {min_accuracy: -0.5}", { (o: inout RunOptions) in o.minAccuracy = -0.5 },
                "'min_accuracy' must be between 0 and 1, found -0.5",
                "--min-accuracy must be between 0 and 1, found -0.5"
            ),
            (
                "gates: {max_lb_mismatch: -1}", { (o: inout RunOptions) in o.maxLoadBalancerMismatches = -1 },
                "'max_lb_mismatch' must be at least 0, found -1", "--max-lb-mismatch must be at least 0, found -1"
            ),
        ] as [(String, (inout RunOptions) -> Void, String, String)] {
            do {
                _ = try ConfigLoader.parse(yaml: backend + yaml + "\n", file: "c.yaml", environment: [:])
                Issue.record("\(yaml) was accepted")
            } catch {
                #expect(error.message == fileMessage)
                #expect(error.location?.line == 3)
            }
            var config = try ConfigLoader.parse(yaml: backend, file: "c.yaml", environment: [:])
            var options = RunOptions(suitePaths: [])
            flags(&options)
            #expect(throws: InputError(flagMessage)) { try config.applyFlags(options) }
        }
    }

    @Test func flagsThatPassTheirRuleOverrideTheFile() throws {
        let yaml = "backends:\n  - {name: b, kind: mock, model: m}\ndefaults: {timeout: 5, retries: 1}\n"
        var config = try ConfigLoader.parse(yaml: yaml, file: "c.yaml", environment: [:])
        var options = RunOptions(suitePaths: [])
        options.timeout = 0.5
        options.threshold = 1
        options.minAgreement = 0
        options.stream = true
        try config.applyFlags(options)
        #expect(config.defaults.timeout == 0.5)
        #expect(config.defaults.retries == 1)
        #expect(config.consensus.threshold == 1)
        #expect(config.gates.minAgreement == 0)
        #expect(config.defaults.stream)
    }

    @Test func rulesDescribeWhatIsWrong() {
        #expect(NumberSetting.threshold.problem(with: 0.5) == nil)
        #expect(NumberSetting.fraction("drift").problem(with: 1.25) == "must be between 0 and 1, found 1.25")
        #expect(NumberSetting.timeout.problem(with: -0.5) == "must be greater than 0, found -0.5")
        #expect(NumberSetting.timeout.problem(with: .nan) == "must be greater than 0, found nan")
        #expect(IntegerSetting.retries.problem(with: 0) == nil)
        #expect(throws: Never.self) { _ = try IntegerSetting.concurrency.checkedFlag(nil) }
    }
}
