/// Settings of a `kind: ailb` backend: how requests are delegated to the ai-lb load balancer.
public struct AILBOptions: Sendable, Hashable {
    /// Aliases or host:port sent as `X-Target-Backends` (ai-lb ignores it in consensus mode).
    public var targetBackends: [String]
    /// Sent as `X-Max-Backends`; nil leaves ai-lb's default (3).
    public var maxBackends: Int?
    /// Sent as `X-Execution-Timeout`, in seconds; nil leaves ai-lb's default (60).
    public var executionTimeout: Double?
    /// What the load balancer's members are, by alias, so reports can group them by family and quant.
    public var members: [String: AILBMember]

    /// Options as written in config.yaml; all optional.
    public init(
        targetBackends: [String] = [], maxBackends: Int? = nil, executionTimeout: Double? = nil,
        members: [String: AILBMember] = [:]
    ) {
        self.targetBackends = targetBackends
        self.maxBackends = maxBackends
        self.executionTimeout = executionTimeout
        self.members = members
    }
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

    /// A member description.
    public init(family: String? = nil, quant: String? = nil, address: String? = nil) {
        self.family = family
        self.quant = quant
        self.address = address
    }
}
