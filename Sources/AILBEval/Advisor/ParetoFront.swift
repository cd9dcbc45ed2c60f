/// The points no other point beats on both axes at once: lower x (latency) and higher y (accuracy). Pure.
package enum ParetoFront {
    /// The indices of the points on the front, by x ascending (y descending on a tie). A point is off the
    /// front when another is at least as fast and at least as accurate, and strictly better in one of the
    /// two; identical points are both on it.
    package static func indices(_ points: [(x: Double, y: Double)]) -> [Int] {
        let front = points.indices.filter { i in
            !points.indices.contains { j in
                j != i && points[j].x <= points[i].x && points[j].y >= points[i].y
                    && (points[j].x < points[i].x || points[j].y > points[i].y)
            }
        }
        return front.sorted { (points[$0].x, -points[$0].y, $0) < (points[$1].x, -points[$1].y, $1) }
    }
}
