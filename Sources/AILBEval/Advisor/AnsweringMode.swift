/// One way a request could have been answered, as the mode advisor replays it from a run's stored answers:
/// one of ai-lb's modes, its ordinary routing, or one backend on its own.
package enum AnsweringMode: Sendable, Hashable {
    /// `X-Execution-Mode: race`: every backend asked at once; the fastest success wins.
    case race
    /// ai-lb's ordinary routing: one backend, the next in config order after a failure.
    case failover
    /// `X-Execution-Mode: consensus`: every answer gathered, then ai-lb's vote (the `ailb` profile).
    case consensus
    /// The same vote under the `semantic` profile.
    case semanticConsensus
    /// One backend alone.
    case backend(String)

    /// The modes, in the order the tables list them (the backends follow, in config order).
    package static let modes: [AnsweringMode] = [.race, .failover, .consensus, .semanticConsensus]

    /// The name a table shows: `race`, `consensus (semantic)`, a backend's name.
    package var displayName: String {
        switch self {
        case .race: return "race"
        case .failover: return "failover"
        case .consensus: return "consensus"
        case .semanticConsensus: return "consensus (semantic)"
        case .backend(let name): return name
        }
    }

    /// The name a flag, JSON or CSV uses: `race`, `failover`, `consensus`, `consensus-semantic`, a backend's name.
    package var key: String {
        switch self {
        case .semanticConsensus: return "consensus-semantic"
        default: return displayName
        }
    }

    /// The backend, when this is one backend alone.
    package var backend: String? {
        if case .backend(let name) = self { return name }
        return nil
    }
}
