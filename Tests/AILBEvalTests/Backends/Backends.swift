import Testing

/// Groups the tests of `Sources/AILBEval/Backends` so `swift test --filter Backends` selects them.
@Suite enum Backends {}
