import GRDB

/// How one race (`--mode race`) ended: who won, and who was still running when it was won.
public struct RaceRecord: Sendable, Hashable {
    public var casePosition: Int
    public var repeatIndex: Int
    /// The backend of the run whose answer was taken; nil when every racer failed.
    public var winner: String?
    /// The winner's latency, in milliseconds.
    public var winnerLatencyMs: Double?
    /// The backends whose requests were cancelled because the race was won, in config order.
    public var stillRunning: [String]
    /// When the winner is a load balancer, which of its members won its own race: ai-lb answers a race with
    /// the winning member's body alone and does not name it, so this is nil unless the body tells (`model`
    /// names a model only one member serves).
    public var member: String?
    /// How `member` was told apart (`model`), or nil.
    public var memberIdentifiedBy: String?

    public init(
        casePosition: Int, repeatIndex: Int, winner: String?, winnerLatencyMs: Double?, stillRunning: [String],
        member: String? = nil, memberIdentifiedBy: String? = nil
    ) {
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.winner = winner
        self.winnerLatencyMs = winnerLatencyMs
        self.stillRunning = stillRunning
        self.member = member
        self.memberIdentifiedBy = memberIdentifiedBy
    }
}

/// The headers a load balancer answered one request with, names in lower case.
public struct ResponseHeadersRecord: Sendable, Hashable {
    public var casePosition: Int
    public var repeatIndex: Int
    /// The `kind: ailb` backend that answered.
    public var backend: String
    public var headers: [String: String]

    public init(casePosition: Int, repeatIndex: Int, backend: String, headers: [String: String]) {
        self.casePosition = casePosition
        self.repeatIndex = repeatIndex
        self.backend = backend
        self.headers = headers
    }
}

extension ResultStore {
    static func insert(races: [RaceRecord], runID: Int64, into db: Database) throws {
        guard !races.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO races (run_id, case_position, repeat, winner, winner_latency_ms, still_running,
                    member, member_identified_by)
                VALUES (?,?,?,?,?,?,?,?)
                """)
        for race in races {
            try statement.execute(arguments: [
                runID, race.casePosition, race.repeatIndex, race.winner, race.winnerLatencyMs,
                JSONValue.array(race.stillRunning.map { .string($0) }).compactText, race.member,
                race.memberIdentifiedBy,
            ])
        }
    }

    static func insert(responseHeaders: [ResponseHeadersRecord], runID: Int64, into db: Database) throws {
        guard !responseHeaders.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO response_headers (run_id, case_position, repeat, backend, headers_json) VALUES (?,?,?,?,?)")
        for record in responseHeaders {
            let headers = JSONValue.object(record.headers.mapValues { .string($0) }).compactText
            try statement.execute(arguments: [runID, record.casePosition, record.repeatIndex, record.backend, headers])
        }
    }

    /// The races of a run, in (case, repeat) order.
    public func races(runID: Int64) throws -> [RaceRecord] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM races WHERE run_id = ? ORDER BY case_position, repeat", arguments: [runID]
            ).map { row in
                let running = (try? JSONValue(parsing: row["still_running"] as String))?.arrayValue ?? []
                return RaceRecord(
                    casePosition: row["case_position"], repeatIndex: row["repeat"], winner: row["winner"],
                    winnerLatencyMs: row["winner_latency_ms"], stillRunning: running.compactMap(\.stringValue),
                    member: row["member"], memberIdentifiedBy: row["member_identified_by"])
            }
        }
    }

    /// The response headers a run's load balancers sent, in (case, repeat, backend) order.
    public func responseHeaders(runID: Int64) throws -> [ResponseHeadersRecord] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM response_headers WHERE run_id = ? ORDER BY case_position, repeat, backend",
                arguments: [runID]
            ).map { row in
                let object = (try? JSONValue(parsing: row["headers_json"] as String))?.objectValue ?? [:]
                return ResponseHeadersRecord(
                    casePosition: row["case_position"], repeatIndex: row["repeat"], backend: row["backend"],
                    headers: object.compactMapValues(\.stringValue))
            }
        }
    }
}
