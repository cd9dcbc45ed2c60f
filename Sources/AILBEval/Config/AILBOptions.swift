/// Settings of a `kind: ailb` backend: how requests are delegated to the ai-lb load balancer.
public struct AILBOptions: Sendable, Hashable {
    /// Aliases or host:port sent as `X-Target-Backends` (ai-lb ignores it in consensus mode).
    public var targetBackends: [String]
    /// Sent as `X-Max-Backends`; nil leaves ai-lb's default (3).
    public var maxBackends: Int?
    /// Sent as `X-Execution-Timeout`, in seconds; nil leaves ai-lb's default (60).
    public var executionTimeout: Double?
    /// ai-lb's own HTTP timeout towards its backends (`REQUEST_TIMEOUT_SECS`), in seconds; nil means ai-lb's
    /// default (60). When it is below the execution timeout, a member that runs into it is reported with an
    /// empty error string: knowing it tells such a timeout from a failure without a reason.
    public var requestTimeout: Double?
    /// What the load balancer's members are, by alias, so reports can group them by family and quant.
    public var members: [String: AILBMember]

    /// Options as written in config.yaml; all optional.
    public init(
        targetBackends: [String] = [], maxBackends: Int? = nil, executionTimeout: Double? = nil,
        requestTimeout: Double? = nil, members: [String: AILBMember] = [:]
    ) {
        self.targetBackends = targetBackends
        self.maxBackends = maxBackends
        self.executionTimeout = executionTimeout
        self.requestTimeout = requestTimeout
        self.members = members
    }

    /// ai-lb's default execution timeout and `REQUEST_TIMEOUT_SECS`, in seconds.
    public static let defaultTimeout = 60.0
}

/// One backend behind an ai-lb load balancer, as described in config.yaml (`members:`).
public struct AILBMember: Sendable, Hashable {
    /// The model family, for grouping; nil when not given.
    public var family: String?
    /// The quantization; nil when not given.
    public var quant: String?
    /// host:port as ai-lb reports the member (`address:`), for a member written by its alias: ai-lb sends
    /// no alias with a member's timeout, and this maps such an answer to the member even before the run has
    /// seen the alias at that address.
    public var address: String?
    /// The model id this member answers with (the `model` of its completions): ai-lb answers a race with the
    /// winner's body alone, and a model only one member serves tells which member won.
    public var model: String?

    /// A member description.
    public init(family: String? = nil, quant: String? = nil, address: String? = nil, model: String? = nil) {
        self.family = family
        self.quant = quant
        self.address = address
        self.model = model
    }

    /// The alias of the one member of `members` whose `model` is `model`, or nil when none or several are.
    public static func servingOnly(_ model: String?, among members: [String: AILBMember]) -> String? {
        guard let model else { return nil }
        let serving = members.filter { $0.value.model == model }.map(\.key)
        return serving.count == 1 ? serving[0] : nil
    }
}
