import ArgumentParser

/// Where `ailb-eval runs` finds the database.
struct RunsArguments: ParsableArguments {
    @OptionGroup var common: CommonOptions
}
