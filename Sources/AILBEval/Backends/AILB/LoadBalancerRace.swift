extension RaceRecord {
    /// Names the member of `loadBalancer` (which won this race) that answered, when the completion's `model`
    /// is served by only one of the members config.yaml describes; else leaves it unknown.
    package mutating func identifyMember(model: String?, loadBalancer: BackendConfig, among backends: [BackendConfig]) {
        guard let alias = AILBMember.servingOnly(model, among: loadBalancer.ailbOptions?.members ?? [:]) else { return }
        member = MemberNaming(loadBalancer: loadBalancer.name, backends: backends).name(alias: alias, address: alias)
        memberIdentifiedBy = "model"
    }
}
