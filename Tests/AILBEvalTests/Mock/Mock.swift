import Testing

/// Groups the tests of `Sources/AILBEval/Mock` so `swift test --filter Mock` selects them.
@Suite enum Mock {}
