import Foundation
import Testing

@testable import AILBEval

/// What every store must do alike, run against each kind (`StoreKind.available`): the same rows come back
/// from SQLite and PostgreSQL, in the same orders.
@Suite struct RunStoreTests {
    static let backends = [
        BackendRecord(position: 0, name: "lb", kind: .ailb, urls: ["http://127.0.0.1:1/v1"], model: "m", family: "f", quant: ""),
        BackendRecord(position: 1, name: "b", kind: .openai, urls: [], model: "m", family: "f", quant: "8bit"),
    ]
    static let cases = [
        CaseRecord(
            position: 0, suite: "s", caseID: "c0", prompt: "hi \"there\"\n", requestJSON: #"{"messages":[]}"#,
            expectJSON: #"{"contains":"x"}"#, tags: ["t", "u"], repeats: 2),
        CaseRecord(position: 1, suite: "s", caseID: "c1", prompt: "ünïcode ✓", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 1),
    ]

    static func makeRun(_ store: some RunStore, cases: [CaseRecord] = cases) throws -> Int64 {
        try store.createRun(
            mode: .consensus, profile: .semantic, threshold: 0.85, configPath: "config.yaml", configJSON: #"{"a":1}"#,
            configHash: "hash", suitesJSON: #"[{"name":"s"}]"#, plannedRequests: 6, backends: backends, cases: cases)
    }

    static func verdict(_ position: Int, _ repeatIndex: Int, _ profile: EquivalenceProfile, winner: String = "b") -> VerdictRecord {
        var verdict = Verdict(
            comparisonType: .text, winner: winner, agreementCount: 2, disagreement: true, groups: [["b", "m1"], ["m2"]],
            successes: 3)
        verdict.answerGroups = [["m1", "b"], ["m2"]]
        verdict.referenceFailure = profile == .ailb ? "no reference" : nil
        return VerdictRecord(
            casePosition: position, repeatIndex: repeatIndex, profile: profile, verdict: verdict, consensusCorrect: nil,
            consensusUndecided: profile == .semantic, spuriousCauses: profile == .semantic ? ["case", "whitespace"] : [])
    }

    static func response(
        _ position: Int, _ repeatIndex: Int, _ backend: String, success: Bool = true, error: ErrorClass? = nil, text: String = "42"
    ) -> ResponseRecord {
        ResponseRecord(
            casePosition: position, repeatIndex: repeatIndex, backend: backend, success: success,
            errorClass: success ? nil : (error ?? .http5xx), errorMessage: success ? nil : "HTTP 500: boom",
            httpStatus: success ? 200 : 500, latencyMs: 12.5, ttftMs: success ? 3.25 : nil, promptTokens: success ? 7 : nil,
            completionTokens: success ? 2 : nil, attempts: success ? 1 : 3, url: "http://127.0.0.1:1/v1/chat/completions",
            rawBody: success ? #"{"choices":[{"message":{"content":"\#(text)"}}]}"# : "oops", text: success ? text : nil,
            toolCalls: success ? #"[{"name":"f","arguments":"{}"}]"# : nil, finishReason: success ? "stop" : nil,
            correct: success ? true : nil, receivedAt: "2026-01-01T00:00:00.000Z", totalTokens: success ? 9 : nil)
    }

    /// Opens a scratch store of `kind`, runs `body`, removes it.
    static func with(_ kind: StoreKind, _ body: (ScratchStore, any RunStore) throws -> Void) throws {
        let scratch = try ScratchStore(kind)
        defer { scratch.remove() }
        try body(scratch, try scratch.open())
    }

    @Test(arguments: StoreKind.available)
    func everyRecordTypeRoundTrips(kind: StoreKind) throws {
        try Self.with(kind) { _, store in
            let runID = try Self.makeRun(store)
            let members = [
                BackendRecord(
                    position: 2, name: "m1", kind: .ailbMember, urls: ["10.0.0.1:8080"], model: "m", family: "f", quant: "4bit", via: "lb"),
                BackendRecord(
                    position: 3, name: "m2", kind: .ailbMember, urls: ["10.0.0.2:8080"], model: "m", family: "g", quant: "", via: "lb"),
            ]
            let responses = [
                Self.response(0, 0, "b"), Self.response(0, 0, "m1"), Self.response(0, 0, "m2", success: false),
                Self.response(0, 1, "b", text: "41"), Self.response(0, 1, "m1"),
            ]
            let verdicts = [Self.verdict(0, 0, .ailb), Self.verdict(0, 0, .semantic), Self.verdict(0, 1, .ailb)]
            let ours = Verdict(
                comparisonType: .hash, winner: "m1", agreementCount: 1, disagreement: true, groups: [["m1"], ["b"]], successes: 2)
            let loadBalancer = LoadBalancerVerdictRecord(
                casePosition: 0, repeatIndex: 0, backend: "lb", winner: "m2", agreementCount: 1, disagreement: true,
                comparisonType: "hash", xDisagreement: true, oracle: "m1", oracleAgreed: false, ours: ours)
            var batch = StoreBatch(
                responses: responses, verdicts: verdicts, newBackends: members, loadBalancerVerdicts: [loadBalancer])
            batch.races = [
                RaceRecord(
                    casePosition: 0, repeatIndex: 0, winner: "lb", winnerLatencyMs: 4.5, stillRunning: ["b"], member: "m1",
                    memberIdentifiedBy: "model"),
                RaceRecord(casePosition: 1, repeatIndex: 0, winner: nil, winnerLatencyMs: nil, stillRunning: []),
            ]
            batch.responseHeaders = [
                ResponseHeadersRecord(casePosition: 0, repeatIndex: 0, backend: "lb", headers: ["x-execution-mode": "consensus"])
            ]
            try store.write(runID: runID, batch: batch)
            try store.finishRun(runID, status: .completed)

            let run = try store.run("latest")
            #expect(run.id == runID && run.status == .completed && run.mode == .consensus && run.profile == .semantic)
            #expect(run.threshold == 0.85 && run.configPath == "config.yaml" && run.configJSON == #"{"a":1}"#)
            #expect(run.configHash == "hash" && run.suitesJSON == #"[{"name":"s"}]"# && run.plannedRequests == 6)
            #expect(run.finishedAt != nil && run.toolVersion == ToolInfo.version)
            #expect(try store.runs() == [run])
            #expect(try store.run(String(runID)) == run)
            #expect(try store.backends(runID: runID) == Self.backends + members)
            #expect(try store.cases(runID: runID) == Self.cases)
            #expect(try store.cases(runID: runID, positions: [1, 7, 0]).map(\.caseID) == ["c1", "c0"])
            #expect(try store.cases(runID: runID, positions: [0]).first?.requestJSON == "")
            var outline: [CaseRecord] = []
            try store.forEachCase(runID: runID, detail: .outline) { outline.append($0) }
            #expect(outline.map(\.prompt) == ["", ""] && outline.map(\.expectJSON) == ["", nil])

            let ordered = responses.sorted { ($0.casePosition, $0.repeatIndex, $0.backend) < ($1.casePosition, $1.repeatIndex, $1.backend) }
            for columns in [ResponseColumns.all, .withoutRawBody, .outline] {
                var read: [ResponseRecord] = []
                try store.forEachResponse(runID: runID, columns: columns) { read.append($0) }
                #expect(read == ordered.map(columns.applied), "\(columns)")
            }
            #expect(try store.verdicts(runID: runID) == verdicts)
            #expect(try store.verdicts(runID: runID, profile: .semantic) == [verdicts[1]])
            var repeats: [StoredCaseRepeat] = []
            try store.forEachCaseRepeat(runID: runID, columns: .all) { repeats.append($0) }
            #expect(repeats.map { [$0.casePosition, $0.repeatIndex] } == [[0, 0], [0, 1]])
            #expect(
                repeats[0].responses == Array(ordered.prefix(3)) && repeats[0].ailb == verdicts[0] && repeats[0].semantic == verdicts[1])
            let picked = try store.caseRepeats(runID: runID, keys: [(0, 1), (0, 0)])
            #expect(picked.map(\.repeatIndex) == [1, 0])
            #expect(picked[1].responses == ordered.prefix(3).map(ResponseColumns.withoutRawBody.applied))
            #expect(
                try store.successfulRawBodies(runID: runID, casePosition: 0, repeatIndex: 0) == [
                    "b": responses[0].rawBody, "m1": responses[1].rawBody,
                ])
            #expect(try store.responseCounts(runID: runID) == (5, 4))

            #expect(try store.races(runID: runID) == batch.races)
            #expect(try store.responseHeaders(runID: runID) == batch.responseHeaders)
            #expect(try store.loadBalancerVerdicts(runID: runID) == [loadBalancer])
            #expect(try store.loadBalancerVerdictCounts(runID: runID) == (1, 1))
            let listed = try store.loadBalancerDisagreements(runID: runID)
            #expect(listed.map(\.caseID) == ["c0"] && listed.first?.verdicts == loadBalancer)
            #expect(try store.firstErrorTexts(runID: runID).map(\.backend) == ["m2"])
            #expect(try store.firstErrorTexts(runID: runID).first?.texts.map { $0.text } == ["HTTP 500: boom"])
        }
    }

    @Test(arguments: StoreKind.available)
    func rowsComeBackInPlanOrderWhateverTheWriteOrder(kind: StoreKind) throws {
        try Self.with(kind) { _, store in
            // Positions written backwards, and names whose order differs between byte order and a locale's.
            let cases = (0..<12).reversed().map {
                CaseRecord(
                    position: $0, suite: "s", caseID: "c\($0)", prompt: "p", requestJSON: "{}", expectJSON: nil, tags: [], repeats: 2)
            }
            let runID = try Self.makeRun(store, cases: cases)
            let names = ["b", "B", "a_b", "a-b", "Z9", "ä"]
            var responses: [ResponseRecord] = []
            for position in [7, 0, 11, 3] {
                for repeatIndex in [1, 0] { responses += names.map { Self.response(position, repeatIndex, $0) } }
            }
            var rng = SeededGenerator(seed: 7)
            responses.shuffle(using: &rng)
            let verdicts = [Self.verdict(3, 1, .semantic), Self.verdict(3, 1, .ailb), Self.verdict(0, 0, .ailb)]
            try store.write(runID: runID, responses: Array(responses.prefix(20)), verdicts: verdicts)
            try store.write(runID: runID, responses: Array(responses.dropFirst(20)), verdicts: [])

            #expect(try store.cases(runID: runID).map(\.position) == Array(0..<12))
            var read: [ResponseRecord] = []
            try store.forEachResponse(runID: runID, columns: .outline) { read.append($0) }
            let keys = read.map { "\($0.casePosition)/\($0.repeatIndex)/\($0.backend)" }
            let expected = [0, 3, 7, 11].flatMap { position in
                [0, 1].flatMap { repeatIndex in
                    names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { "\(position)/\(repeatIndex)/\($0)" }
                }
            }
            #expect(keys == expected)
            #expect(
                try store.verdicts(runID: runID).map { "\($0.casePosition)/\($0.repeatIndex)/\($0.profile.rawValue)" } == [
                    "0/0/ailb", "3/1/ailb", "3/1/semantic",
                ])
            var repeats: [String] = []
            try store.forEachCaseRepeat(runID: runID, columns: .outline) {
                repeats.append("\($0.casePosition)/\($0.repeatIndex)/\($0.responses.count)")
            }
            #expect(repeats == ["0/0/6", "0/1/6", "3/0/6", "3/1/6", "7/0/6", "7/1/6", "11/0/6", "11/1/6"])
        }
    }

    @Test(arguments: StoreKind.available)
    func aStoredAnswerIsKeptButACancelledOneIsReplaced(kind: StoreKind) throws {
        try Self.with(kind) { _, store in
            let runID = try Self.makeRun(store)
            let first = Self.response(0, 0, "b", text: "first")
            try store.write(runID: runID, responses: [first], verdicts: [Self.verdict(0, 0, .ailb, winner: "b")])
            // The same key again, in another batch and twice in one: the stored answer stays.
            try store.write(runID: runID, responses: [Self.response(0, 0, "b", text: "second")], verdicts: [])
            try store.write(
                runID: runID, responses: [Self.response(0, 1, "b", text: "x"), Self.response(0, 1, "b", text: "y")], verdicts: [])
            // A cancelled answer is work still to do: the next answer replaces it.
            try store.write(runID: runID, responses: [Self.response(1, 0, "b", success: false, error: .cancelled)], verdicts: [])
            try store.write(runID: runID, responses: [Self.response(1, 0, "b", text: "late")], verdicts: [])
            // A verdict is recomputed: the later one replaces it.
            try store.write(runID: runID, responses: [], verdicts: [Self.verdict(0, 0, .ailb, winner: "lb")])
            // The whole batch written twice changes nothing.
            let batch = StoreBatch(responses: [Self.response(0, 0, "lb")], verdicts: [Self.verdict(0, 1, .ailb)])
            try store.write(runID: runID, batch: batch)
            try store.write(runID: runID, batch: batch)

            var texts: [String: String] = [:]
            try store.forEachResponse(runID: runID, columns: .outline) {
                texts["\($0.casePosition)/\($0.repeatIndex)/\($0.backend)"] = $0.text
            }
            #expect(texts == ["0/0/b": "first", "0/1/b": "x", "1/0/b": "late", "0/0/lb": "42"])
            #expect(try store.responseCounts(runID: runID) == (4, 4))
            #expect(try store.verdicts(runID: runID).map(\.verdict.winner) == ["lb", "b"])
        }
    }

    @Test(arguments: StoreKind.available)
    func resumeKeysLeaveOutCancelledWorkAndCountMembersForTheirLoadBalancer(kind: StoreKind) throws {
        try Self.with(kind) { _, store in
            let runID = try Self.makeRun(store)
            let member = BackendRecord(position: 2, name: "m1", kind: .ailbMember, urls: [], model: "m", family: "f", quant: "", via: "lb")
            try store.write(
                runID: runID,
                batch: StoreBatch(
                    responses: [
                        Self.response(0, 0, "m1"), Self.response(0, 0, "b", success: false, error: .cancelled),
                        Self.response(0, 1, "m1", success: false), Self.response(0, 1, "b", success: false, error: .cancelledByRace),
                        Self.response(1, 0, "b", success: false, error: .timeout), Self.response(1, 0, "lb", success: false),
                    ], newBackends: [member]))
            #expect(
                try store.answeredKeys(runID: runID)
                    == [
                        ResponseKey(casePosition: 0, repeatIndex: 0, backend: "m1"),
                        ResponseKey(casePosition: 0, repeatIndex: 0, backend: "lb"),
                        ResponseKey(casePosition: 0, repeatIndex: 1, backend: "m1"),
                        ResponseKey(casePosition: 0, repeatIndex: 1, backend: "lb"),
                        ResponseKey(casePosition: 0, repeatIndex: 1, backend: "b"),
                        ResponseKey(casePosition: 1, repeatIndex: 0, backend: "b"),
                        ResponseKey(casePosition: 1, repeatIndex: 0, backend: "lb"),
                    ])
            #expect(try store.answeredRequestCount(runID: runID) == 5)
            #expect(
                try store.failedRequestKeys(runID: runID)
                    == [
                        ResponseKey(casePosition: 0, repeatIndex: 1, backend: "lb"),
                        ResponseKey(casePosition: 1, repeatIndex: 0, backend: "b"),
                        ResponseKey(casePosition: 1, repeatIndex: 0, backend: "lb"),
                    ])

            // Retried twice: each earlier answer is kept as an attempt, numbered, and the latest is the answer.
            for text in ["again", "and again"] {
                var retry = StoreBatch(responses: [Self.response(1, 0, "b", text: text)])
                retry.retried = [ResponseKey(casePosition: 1, repeatIndex: 0, backend: "b")]
                try store.write(runID: runID, batch: retry)
            }
            let attempts = try store.responseAttempts(runID: runID)
            #expect(attempts.map(\.attempt) == [1, 2])
            #expect(attempts.map(\.response.text) == [nil, "again"])
            #expect(attempts[0].response == Self.response(1, 0, "b", success: false, error: .timeout))
            #expect(!(try store.failedRequestKeys(runID: runID)).contains(ResponseKey(casePosition: 1, repeatIndex: 0, backend: "b")))
            // The load balancer's own failed row, once its members answered.
            try store.write(runID: runID, batch: StoreBatch(superseded: [ResponseKey(casePosition: 1, repeatIndex: 0, backend: "lb")]))
            #expect(try store.responseCounts(runID: runID).total == 5)
        }
    }

    @Test(arguments: StoreKind.available)
    func theSchemaIsUpgradedOnceAndReadOnlyStoresReadIt(kind: StoreKind) throws {
        try Self.with(kind) { scratch, store in
            let runID = try Self.makeRun(store)
            try store.finishRun(runID, status: .completed)
            let reopened = try scratch.open()
            #expect(try reopened.runs().map(\.id) == [runID])
            let reader = try scratch.location.openForReading()
            #expect(try reader.run("latest").status == .completed)
            try reader.finishReading()
            switch kind {
            case .sqlite:
                let versions = try ResultStore(path: scratch.value).read {
                    try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
                }
                #expect(versions == ["v1", "v2", "v3", "v4", "v5", "v6", "v7"])
            case .postgres:
                let rows = try PostgresTestServer.execute(["SELECT version FROM ailb_eval_migrations ORDER BY version"], on: scratch.value)
                // v8 is PostgreSQL's own: the work queue of runs finished by several workers.
                #expect(try rows.map { try $0.decode(String.self) } == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func anEmptyDatabaseHasNoRunsAndUnknownRunsAreClearErrors(kind: StoreKind) throws {
        let scratch = try ScratchStore(kind)
        defer { scratch.remove() }
        #expect(try scratch.location.openForReadingIfStored() == nil)
        #expect(throws: StoreError.self) { try scratch.location.openForReading() }
        let store = try scratch.open()
        #expect(try store.runs().isEmpty)
        #expect(throws: StoreError.self) { try store.run("latest") }
        #expect(throws: StoreError.self) { try store.run("42") }
        #expect(throws: StoreError.self) { try store.run("nonsense") }
    }

    @Test(arguments: StoreKind.available)
    func aRunWhoseOwnerIsGoneIsInterrupted(kind: StoreKind) throws {
        let scratch = try ScratchStore(kind)
        defer { scratch.remove() }
        var owner: (any RunStore)? = try scratch.open()
        let runID = try owner.map { try Self.makeRun($0) } ?? 0
        let other = try scratch.open()
        switch kind {
        case .sqlite:
            // This process owns it: another process would see it running; a pid that is gone means interrupted.
            #expect(try other.run("latest").status == .running)
            try ResultStore(path: scratch.value).queue.write {
                try $0.execute(sql: "UPDATE runs SET pid = 999999999 WHERE id = ?", arguments: [runID])
            }
        case .postgres:
            #expect(try other.run("latest").status == .running)
            #expect(try other.ownerElsewhere(ofRun: runID)?.hasPrefix("ailb-eval pid \(getpid()) on ") == true)
            #expect(try owner?.ownerElsewhere(ofRun: runID) == nil)
            // The owner's session ends (as when its process dies): the server lets its lock go.
            owner = nil
            let deadline = Date().addingTimeInterval(10)
            while try other.ownerElsewhere(ofRun: runID) != nil, Date() < deadline { usleep(20_000) }
        }
        #expect(try other.run(String(runID)).status == .interrupted)
        #expect(try other.ownerElsewhere(ofRun: runID) == nil)
        _ = owner
    }
}
