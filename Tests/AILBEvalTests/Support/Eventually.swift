/// Polls `condition` every few milliseconds until it holds or `seconds` pass; returns whether it held. For
/// waiting on what another party does (a server counting a request, a transport queueing one), where a
/// fixed sleep would only guess how long that takes.
func eventually(within seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
