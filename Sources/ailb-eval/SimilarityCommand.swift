import ArgumentParser

/// `ailb-eval similarity`: difflib-exact similarity of text pairs.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity", abstract: "Read {\"id\", \"a\", \"b\"} JSON Lines on stdin; write each pair's similarity ratio.",
        discussion: """
            The ratio is Python's difflib.SequenceMatcher(None, a, b).ratio() on Unicode code points, autojunk \
            included. With --normalize, both texts are normalised first, as the consensus text rule does.
            """)

    @OptionGroup var arguments: SimilarityArguments

    func run() throws { try arguments.run() }
}
