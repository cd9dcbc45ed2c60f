import Foundation
import GRDB

/// Why the store could not do what was asked.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// The SQLite file holding runs, responses and verdicts.
///
/// Responses are written in short batched transactions as they arrive, so a crash loses at most
/// what was in flight. The file is created with mode 0600: it holds model output and prompts.
///
/// `init(readingFrom:)` opens it for the commands that only read (`runs`, `report`, `export`, `gate`,
/// `compare`): read-only, no schema upgrade, no status written back, and no `-wal`/`-shm` files left
/// beside it, so the file's bytes and time stamp are what they were and a read-only file or folder works.
package final class ResultStore: Sendable {
    let queue: DatabaseQueue
    /// The file path.
    package let path: String
    /// Whether this store was opened for reading only.
    package let isReadOnly: Bool
    /// For a read-only store opened without the write-ahead log: the file as it was when opened.
    let unchangedFile: FileState?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    package init(path: String) throws {
        self.path = path
        isReadOnly = false
        unchangedFile = nil
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_WRONLY, 0o600)
            guard fd >= 0 else {
                throw StoreError(message: "\(path): cannot create the database: \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try StoreSchema.migrator.migrate(queue)
        } catch let error as DatabaseError {
            throw StoreError(message: "\(path): not a usable ailb-eval database: \(error.message ?? "\(error)")")
        }
    }

    /// Opens the existing database at `path` for reading only: nothing is written to it or beside it.
    ///
    /// A database in WAL mode makes SQLite create `-wal` and `-shm` files even for a read-only connection
    /// (and leave them there). When there is no `-wal` file, no process has the database open, so it is read
    /// as immutable (no locks, no side files); `finishReading()` then checks that no run started writing
    /// to it meanwhile. When a `-wal` file exists (a run is going on), the ordinary read-only connection
    /// shares it.
    package init(readingFrom path: String) throws {
        self.path = path
        isReadOnly = true
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(message: "\(path): no database here (nothing was stored yet; --db names another file)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let before = FileState(path: path)
        var opened: DatabaseQueue?
        var state: FileState?
        do {
            if !before.hasWriteAheadLog, let uri = Self.immutableURI(path) {
                // A SQLite built without URI support takes the URI for a file name, which does not exist.
                opened = try? DatabaseQueue(path: uri, configuration: configuration)
                if opened != nil { state = before }
            }
            let queue = try opened ?? DatabaseQueue(path: path, configuration: configuration)
            let (hasRuns, current) = try queue.read { db in
                (try db.tableExists("runs"), try StoreSchema.migrator.hasCompletedMigrations(db))
            }
            guard hasRuns else { throw StoreError(message: "\(path): not an ailb-eval database (it has no runs table)") }
            guard current else {
                throw StoreError(
                    message: "\(path): written by an older ailb-eval; its schema is upgraded by the next run that "
                        + "stores into it (ailb-eval SUITE --db \(path)), not by commands that only read")
            }
            self.queue = queue
        } catch let error as DatabaseError {
            throw StoreError(message: "\(path): not a usable ailb-eval database: \(error.message ?? "\(error)")")
        }
        unchangedFile = state
    }

    /// `file:PATH?immutable=1` with the path percent-encoded as SQLite's URI rules need.
    static func immutableURI(_ path: String) -> String? {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/-._~")
        guard let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        return "file:\(encoded)?immutable=1"
    }

    /// For a store opened with `init(readingFrom:)`: throws when the database changed while it was read without
    /// locks (a run started writing to it), because what was read may then be inconsistent.
    package func finishReading() throws {
        guard let unchangedFile, FileState(path: path) != unchangedFile else { return }
        throw StoreError(
            message: "\(path) changed while it was being read (a run started storing into it); run the command again")
    }

    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true))
    }

    // MARK: Writing

    /// Records a new run with its backends and cases (read one at a time), status `running`; returns its id.
    /// `runKey` and `shard` mark a part of a split run (`--run-key`, `--shard`); `startedAt` is now unless given
    /// (a merged run started when its first part did).
    package func createRun(
        mode: RunMode, profile: EquivalenceProfile, threshold: Double, configPath: String?, configJSON: String,
        configHash: String, suitesJSON: String, plannedRequests: Int, backends: [BackendRecord], cases: some Sequence<CaseRecord>,
        runKey: String?, shard: Shard?, startedAt: String?
    ) throws -> Int64 {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (started_at, status, tool_version, mode, profile, threshold, config_path,
                        config_json, config_hash, suites_json, planned_requests, pid, run_key, shard_index, shard_count)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    startedAt ?? Self.timestamp(), ToolInfo.version, mode.rawValue, profile.rawValue, threshold, configPath,
                    configJSON, configHash, suitesJSON, plannedRequests, Int(getpid()), runKey, shard?.index, shard?.count,
                ])
            let runID = db.lastInsertedRowID
            try Self.insert(backends, runID: runID, into: db)
            let caseInsert = try db.cachedStatement(
                sql: """
                    INSERT INTO cases (run_id, position, suite, case_id, prompt, request_json, expect_json, tags, repeats)
                    VALUES (?,?,?,?,?,?,?,?,?)
                    """)
            for c in cases {
                try caseInsert.execute(arguments: [
                    runID, c.position, c.suite, c.caseID, c.prompt, c.requestJSON, c.expectJSON,
                    JSONValue.array(c.tags.map { .string($0) }).compactText, c.repeats,
                ])
            }
            return runID
        }
    }

    /// Inserts response and verdict rows inside a write transaction: a response whose key is stored already
    /// is ignored unless the stored one was cancelled (see `RunStore`); a verdict replaces the stored one.
    static func insert(responses: [ResponseRecord], verdicts: [VerdictRecord], runID: Int64, into db: Database) throws {
        let responseInsert = try db.cachedStatement(
            sql: """
                INSERT INTO responses (run_id, case_position, repeat, backend, success, error_class,
                    error_message, http_status, latency_ms, ttft_ms, prompt_tokens, completion_tokens, attempts, url,
                    raw_body, text, tool_calls, finish_reason, correct, received_at, total_tokens)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (run_id, case_position, repeat, backend) DO UPDATE SET \(StoreSchema.responseUpdate)
                WHERE responses.error_class = 'cancelled'
                """)
        for r in responses {
            let arguments: StatementArguments = [
                runID, r.casePosition, r.repeatIndex, r.backend, r.success, r.errorClass?.rawValue, r.errorMessage,
                r.httpStatus, r.latencyMs, r.ttftMs, r.promptTokens, r.completionTokens, r.attempts, r.url,
                r.rawBody, r.text, r.toolCalls, r.finishReason, r.correct, r.receivedAt, r.totalTokens,
            ]
            responseInsert.setUncheckedArguments(arguments)
            try responseInsert.execute()
        }
        let verdictInsert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO verdicts (run_id, case_position, repeat, profile, comparison_type, winner,
                    agreement_count, successes, disagreement, groups_json, consensus_correct, spurious_causes,
                    answer_groups_json, consensus_undecided, reference_failure)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
        func json(_ groups: [[String]]) -> String {
            JSONValue.array(groups.map { .array($0.map { .string($0) }) }).compactText
        }
        for v in verdicts {
            let causes = v.spuriousCauses.isEmpty ? nil : v.spuriousCauses.joined(separator: ",")
            let arguments: StatementArguments = [
                runID, v.casePosition, v.repeatIndex, v.profile.rawValue, v.verdict.comparisonType.rawValue,
                v.verdict.winner, v.verdict.agreementCount, v.verdict.successes, v.verdict.disagreement,
                json(v.verdict.groups), v.consensusCorrect, causes, json(v.verdict.answerGroups), v.consensusUndecided,
                v.verdict.referenceFailure,
            ]
            verdictInsert.setUncheckedArguments(arguments)
            try verdictInsert.execute()
        }
    }

    /// Marks a run finished with `status`.
    package func finishRun(_ runID: Int64, status: RunStatus) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE runs SET status = ?, finished_at = ?, pid = NULL WHERE id = ?",
                arguments: [status.rawValue, Self.timestamp(), runID])
        }
    }

    /// Marks a stored run as running again in this process, for `--resume`.
    package func reopenRun(_ runID: Int64) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE runs SET status = 'running', finished_at = NULL, pid = ? WHERE id = ?",
                arguments: [Int(getpid()), runID])
        }
    }

    // MARK: Reading

    /// Calls `body` with each key of a run that has a final answer (see `RunStore`).
    package func forEachAnsweredKey(runID: Int64, _ body: (ResponseKey) throws -> Void) throws {
        try queue.read { db in
            // An answer of a member behind a load balancer answers the request made to the load balancer.
            let via = try Self.loadBalancerOfMember(runID: runID, db: db)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT case_position, repeat, backend FROM responses
                    WHERE run_id = ? AND (error_class IS NULL OR error_class != 'cancelled')
                    """,
                arguments: [runID])
            while let row = try rows.next() {
                let key = ResponseKey(casePosition: row[0], repeatIndex: row[1], backend: row[2])
                try body(key)
                if let parent = via[key.backend] {
                    try body(ResponseKey(casePosition: key.casePosition, repeatIndex: key.repeatIndex, backend: parent))
                }
            }
        }
    }

    /// The pid of another live process that owns this `running` run, if any (it must not be resumed twice).
    package func isRunningElsewhere(_ runID: Int64) throws -> Int? {
        let pid: Int? = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT pid FROM runs WHERE id = ? AND status = 'running'", arguments: [runID])
        }
        guard let pid, pid != Int(getpid()), Self.processIsAlive(pid) else { return nil }
        return pid
    }

    /// Whether process `pid` exists. `probe` is kill(2) with signal 0, returning 0 or the errno: EPERM means
    /// the process is alive but not ours (another user, or seen from another PID namespace), so a run it
    /// holds is not taken over; only ESRCH means it is gone. A pid of 0 or less names no single process.
    static func processIsAlive(_ pid: Int, probe: (pid_t) -> Int32 = { kill($0, 0) == 0 ? 0 : errno }) -> Bool {
        guard pid > 0, pid <= Int(Int32.max) else { return false }
        if pid == Int(getpid()) { return true }
        let result = probe(pid_t(pid))
        return result == 0 || result == EPERM
    }

    /// All runs, newest first. A run still marked running whose process is gone is reported (and, unless the
    /// store is read-only, stored) as interrupted.
    package func runs() throws -> [RunRecord] {
        try markOrphanedRunsInterrupted()
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC").map(runRecordAsSeenNow)
        }
    }

    /// The run named by `reference`: a run id, or `latest`.
    package func run(_ reference: String) throws -> RunRecord {
        try markOrphanedRunsInterrupted()
        let row: Row? = try queue.read { db in
            if reference == "latest" {
                return try Row.fetchOne(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT 1")
            }
            guard let id = Int64(reference) else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id])
        }
        guard let row else {
            if reference == "latest" { throw StoreError(message: "\(path): no runs yet") }
            throw StoreError(message: "\(path): no run '\(reference)' (see `ailb-eval runs`)")
        }
        return runRecordAsSeenNow(row)
    }

    /// Marks runs whose process is gone as interrupted (not in a read-only store: its readers see them so
    /// through `runRecordAsSeenNow`).
    func markOrphanedRunsInterrupted() throws {
        guard !isReadOnly else { return }
        let running: [(Int64, Int?)] = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, pid FROM runs WHERE status = 'running'").map { ($0["id"], $0["pid"]) }
        }
        for (id, pid) in running {
            let alive = pid.map { Self.processIsAlive($0) } ?? false
            if !alive { try finishRun(id, status: .interrupted) }
        }
    }

    /// A `runs` row as a record, a run still marked running by a process that is gone shown as interrupted.
    func runRecordAsSeenNow(_ row: Row) -> RunRecord {
        var record = Self.runRecord(row)
        if record.status == .running, !((row["pid"] as Int?).map { Self.processIsAlive($0) } ?? false) {
            record.status = .interrupted
        }
        return record
    }

    static func runRecord(_ row: Row) -> RunRecord {
        RunRecord(
            id: row["id"], startedAt: row["started_at"], finishedAt: row["finished_at"],
            status: RunStatus(rawValue: row["status"]) ?? .failed, toolVersion: row["tool_version"],
            mode: RunMode(rawValue: row["mode"]) ?? .consensus,
            profile: EquivalenceProfile(rawValue: row["profile"]) ?? .ailb, threshold: row["threshold"],
            configPath: row["config_path"], configJSON: row["config_json"], configHash: row["config_hash"],
            suitesJSON: row["suites_json"], plannedRequests: row["planned_requests"], runKey: row["run_key"],
            shardIndex: row["shard_index"], shardCount: row["shard_count"])
    }

    /// The backends of a run, in config order.
    package func backends(runID: Int64) throws -> [BackendRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM backends WHERE run_id = ? ORDER BY position", arguments: [runID]).map {
                row in
                let urls = (try? JSONValue(parsing: row["urls"] as String))?.arrayValue?.compactMap(\.stringValue) ?? []
                return BackendRecord(
                    position: row["position"], name: row["name"], kind: BackendKind(rawValue: row["kind"]) ?? .openai,
                    urls: urls, model: row["model"], family: row["family"], quant: row["quant"], via: row["via"])
            }
        }
    }

    /// The cases of a run, in plan order.
    package func cases(runID: Int64) throws -> [CaseRecord] {
        var cases: [CaseRecord] = []
        try forEachCase(runID: runID, detail: .all) { cases.append($0) }
        return cases
    }

    /// Calls `body` for each case of a run, in plan order, without loading them all, with what `detail`
    /// keeps of it (the rest is not read).
    package func forEachCase(runID: Int64, detail: StoredCases.Detail, _ body: (CaseRecord) throws -> Void) throws {
        let columns =
            switch detail {
            case .outline: "'' AS prompt, '' AS request_json, CASE WHEN expect_json IS NULL THEN NULL ELSE '' END AS expect_json"
            case .withoutRequests: "prompt, '' AS request_json, expect_json"
            case .all: "prompt, request_json, expect_json"
            }
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT position, suite, case_id, \(columns), tags, repeats FROM cases
                    WHERE run_id = ? ORDER BY position
                    """,
                arguments: [runID])
            while let row = try cursor.next() { try body(Self.caseRecord(row)) }
        }
    }

    /// The cases at the given plan positions, in the order asked, without their requests.
    package func cases(runID: Int64, positions: [Int]) throws -> [CaseRecord] {
        try queue.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT position, suite, case_id, prompt, '' AS request_json, expect_json, tags, repeats FROM cases
                    WHERE run_id = ? AND position = ?
                    """)
            return try positions.compactMap { position in
                try Row.fetchOne(statement, arguments: [runID, position]).map(Self.caseRecord)
            }
        }
    }

    static func caseRecord(_ row: Row) -> CaseRecord {
        let tags = (try? JSONValue(parsing: row["tags"] as String))?.arrayValue?.compactMap(\.stringValue) ?? []
        return CaseRecord(
            position: row["position"], suite: row["suite"], caseID: row["case_id"], prompt: row["prompt"],
            requestJSON: row["request_json"], expectJSON: row["expect_json"], tags: tags, repeats: row["repeats"])
    }

    static func responseRecord(_ row: Row) -> ResponseRecord {
        ResponseRecord(
            casePosition: row["case_position"], repeatIndex: row["repeat"], backend: row["backend"],
            success: row["success"], errorClass: (row["error_class"] as String?).flatMap(ErrorClass.init(rawValue:)),
            errorMessage: row["error_message"], httpStatus: row["http_status"], latencyMs: row["latency_ms"],
            ttftMs: row["ttft_ms"], promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
            attempts: row["attempts"], url: row["url"], rawBody: row["raw_body"], text: row["text"],
            toolCalls: row["tool_calls"], finishReason: row["finish_reason"], correct: row["correct"],
            receivedAt: row["received_at"], totalTokens: row["total_tokens"])
    }

    /// The columns of `verdicts` in the order `verdictRecord` reads them by position.
    static let verdictColumns = """
        case_position, repeat, profile, comparison_type, winner, agreement_count, successes, disagreement, groups_json, \
        consensus_correct, spurious_causes, answer_groups_json, consensus_undecided, reference_failure
        """

    /// A verdict read with `verdictColumns`, its columns taken by position (reports read hundreds of thousands).
    static func verdictRecord(_ row: Row) -> VerdictRecord {
        func groups(_ column: Int) -> [[String]]? {
            guard let text = row[column] as String? else { return nil }
            return StringGroups.parse(text)
        }
        var verdict = Verdict(
            comparisonType: ComparisonType(rawValue: row[3]) ?? .none, winner: row[4], agreementCount: row[5],
            disagreement: row[7], groups: groups(8) ?? [], successes: row[6])
        // Runs stored before answer groups were kept fall back to ai-lb's groups.
        verdict.answerGroups = groups(11) ?? Verdict.canonicalOrder(verdict.groups)
        verdict.referenceFailure = row[13]
        let causes = (row[10] as String?)?.split(separator: ",").map(String.init) ?? []
        return VerdictRecord(
            casePosition: row[0], repeatIndex: row[1], profile: EquivalenceProfile(rawValue: row[2]) ?? .ailb,
            verdict: verdict, consensusCorrect: row[9], consensusUndecided: row[12] ?? false, spuriousCauses: causes)
    }

    /// Number of responses stored for a run, and how many of them succeeded.
    package func responseCounts(runID: Int64) throws -> (total: Int, successes: Int) {
        try queue.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(success), 0) AS ok FROM responses WHERE run_id = ?",
                arguments: [runID])!
            return (row["n"], row["ok"])
        }
    }

    /// Runs `body` inside a read transaction, for callers that issue several queries that must agree.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.read(body)
    }
}

/// What identifies a file's content without reading it: size, modification time, inode, and whether a
/// write-ahead log is beside it.
struct FileState: Equatable, Sendable {
    var size: Int64 = -1
    var modified: timespec = timespec()
    var inode: UInt64 = 0
    var hasWriteAheadLog = false

    init(path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            size = Int64(info.st_size)
            #if os(Linux)
                modified = info.st_mtim
            #else
                modified = info.st_mtimespec
            #endif
            inode = UInt64(info.st_ino)
        }
        hasWriteAheadLog = FileManager.default.fileExists(atPath: path + "-wal")
    }

    static func == (a: FileState, b: FileState) -> Bool {
        a.size == b.size && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.inode == b.inode && a.hasWriteAheadLog == b.hasWriteAheadLog
    }
}

/// Facts about this build of the tool.
package enum ToolInfo {
    /// The version written into every run.
    package static let version = "0.1.0"
}
