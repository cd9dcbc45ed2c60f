#if canImport(Glibc)
    import Glibc
#endif

/// Gives memory that was freed back to the system, between the phases of a run (suites read, requests
/// answered, reports written).
///
/// glibc keeps what a thread frees in that thread's arena for its later allocations, and the threads of one
/// phase are not those of the next: without this, the memory a phase freed stays counted against the process
/// while the next phase allocates afresh, and the peak is the sum of the phases rather than the largest of
/// them. `malloc_trim` returns the free pages of every arena. Elsewhere (macOS) the allocator needs no help.
enum FreedMemory {
    static func giveBack() {
        #if canImport(Glibc)
            // Looked up rather than called: the C library's `malloc.h` is not part of Swift's Glibc module.
            typealias Trim = @convention(c) (Int) -> Int32
            guard let trim = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(trim, to: Trim.self)(0)
        #endif
    }
}
