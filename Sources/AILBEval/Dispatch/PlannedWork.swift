/// Which requests a run sends: every (case, repeat, backend) of its plan, or with `--shard` those of the
/// cases in its share. A shard's run stores every case of the plan (so that positions agree between the
/// shards) and sends only its share.
extension RunPlan {
    /// The repeats to send of each case, by plan position: the case's repeats, or 0 for a case outside `shard`.
    package func repeatsToSend(in shard: Shard?) -> [Int] {
        cases.map { planned in
            guard let shard else { return planned.repeats }
            return shard.contains(suite: planned.suiteName, caseID: planned.caseID) ? planned.repeats : 0
        }
    }

    /// The requests of the cases in `shard` (nil: of every case).
    package func requestCount(in shard: Shard?) -> Int {
        guard shard != nil else { return totalRequests }
        return repeatsToSend(in: shard).reduce(0, +) * backends.count
    }

    /// The work items of the cases in `shard`, case by case, in plan order.
    package func workItems(in shard: Shard) -> [WorkItem] {
        var items: [WorkItem] = []
        for (position, repeats) in repeatsToSend(in: shard).enumerated() {
            for repeatIndex in 0..<repeats {
                for backendIndex in backends.indices {
                    items.append(WorkItem(casePosition: position, repeatIndex: repeatIndex, backendIndex: backendIndex))
                }
            }
        }
        return items
    }
}

/// Counts what a stored run still lacks.
package enum PlannedWork {
    /// The planned requests of `runID` that have no final answer in `store`: `repeats[p]` repeats of the case at
    /// plan position `p` (0 for a case the run does not send) to each of `backends`. One bit per planned
    /// request, set as the stored answers stream by, so a plan of any size costs a word per case.
    package static func missingRequests(store: some RunStore, runID: Int64, repeats: [Int], backends: [String]) throws -> Int {
        // The first request of the case at position p is firstRequest[p], its last one before firstRequest[p + 1].
        var firstRequest: [Int] = []
        firstRequest.reserveCapacity(repeats.count + 1)
        var requests = 0
        for count in repeats {
            firstRequest.append(requests)
            requests += count * backends.count
        }
        firstRequest.append(requests)
        let backendIndex = Dictionary(backends.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var answered = [UInt64](repeating: 0, count: (requests + 63) / 64)
        var missing = requests
        try store.forEachAnsweredKey(runID: runID) { key in
            guard repeats.indices.contains(key.casePosition), let backend = backendIndex[key.backend] else { return }
            let first = firstRequest[key.casePosition]
            guard key.repeatIndex >= 0, key.repeatIndex < repeats[key.casePosition] else { return }
            let bit = first + key.repeatIndex * backends.count + backend
            let mask = UInt64(1) << UInt64(bit % 64)
            if answered[bit / 64] & mask == 0 {
                answered[bit / 64] |= mask
                missing -= 1
            }
        }
        return missing
    }
}
