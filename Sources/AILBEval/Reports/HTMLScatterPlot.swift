import Foundation

/// A scatter plot in inline SVG: one labelled point each, and the points of a front marked and joined in
/// order of x. Styled like `HTMLBarChart`; no script.
struct HTMLScatterPlot {
    /// One point.
    struct Point {
        var label: String
        var x: Double
        var y: Double
        /// Drawn large and dark (a mode), or small and grey (a backend alone).
        var emphasised: Bool
        /// On the front: ringed and joined to the other front points.
        var onFront: Bool
        /// The tooltip.
        var caption: String
    }

    var points: [Point]
    var xTitle: String
    var yTitle: String
    /// How values print on each axis.
    var xFormat: (Double) -> String
    var yFormat: (Double) -> String
    var plotWidth = 560.0
    var plotHeight = 300.0
    var left = 64.0
    var right = 170.0
    var top = 14.0
    var bottom = 46.0

    /// The plot: x from 0 to a round number above the largest x; y from a round tenth below the smallest y
    /// (with a margin) to 1, so that points near the top do not crowd together.
    func render() -> HTML {
        let (xScale, xTicks) = HTMLBarChart.niceCeiling((points.map(\.x).max() ?? 0) * 1.05)
        let (yLow, yStep) = Self.yRange(points.map(\.y))
        let width = left + plotWidth + right
        let height = top + plotHeight + bottom
        func px(_ x: Double) -> Double { left + plotWidth * min(max(x / xScale, 0), 1) }
        func py(_ y: Double) -> Double { top + plotHeight * (1 - min(max((y - yLow) / (1 - yLow), 0), 1)) }
        var svg: HTML = """
            <svg class="mode-plot" viewBox="0 0 \(width, digits: 0) \(height, digits: 0)" width="\(width, digits: 0)" role="img" aria-label="\(yTitle) against \(xTitle)">
            """
        for tick in 0...xTicks {
            let value = xScale * Double(tick) / Double(xTicks)
            svg += """
                <line x1="\(px(value), digits: 1)" x2="\(px(value), digits: 1)" y1="\(top, digits: 1)" y2="\(top + plotHeight, digits: 1)" stroke="#eaeef2"/>\
                <text class="axis" x="\(px(value), digits: 1)" y="\(top + plotHeight + 16, digits: 1)" text-anchor="middle">\(xFormat(value))</text>
                """
        }
        var tick = yLow
        while tick <= 1 + 1e-9 {
            svg += """
                <line x1="\(left, digits: 1)" x2="\(left + plotWidth, digits: 1)" y1="\(py(tick), digits: 1)" y2="\(py(tick), digits: 1)" stroke="#eaeef2"/>\
                <text class="axis" x="\(left - 8, digits: 1)" y="\(py(tick) + 4, digits: 1)" text-anchor="end">\(yFormat(tick))</text>
                """
            tick += yStep
        }
        svg += """
            <line x1="\(left, digits: 1)" x2="\(left, digits: 1)" y1="\(top, digits: 1)" y2="\(top + plotHeight, digits: 1)" stroke="#8c959f"/>\
            <line x1="\(left, digits: 1)" x2="\(left + plotWidth, digits: 1)" y1="\(top + plotHeight, digits: 1)" y2="\(top + plotHeight, digits: 1)" stroke="#8c959f"/>\
            <text class="axis" x="\(left + plotWidth / 2, digits: 1)" y="\(height - 6, digits: 1)" text-anchor="middle">\(xTitle)</text>\
            <text class="axis" transform="translate(14 \(top + plotHeight / 2, digits: 1)) rotate(-90)" text-anchor="middle">\(yTitle)</text>
            """
        let front = points.filter(\.onFront).sorted { ($0.x, -$0.y) < ($1.x, -$1.y) }
        if front.count > 1 {
            let coordinates = front.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            svg += """
                <polyline class="front" points="\(coordinates)" fill="none" stroke="#1a7f37" stroke-width="2" stroke-dasharray="5 3"/>
                """
        }
        for (point, labelY) in zip(points, labelPositions(py)) {
            let (x, y) = (px(point.x), py(point.y))
            let fill = point.emphasised ? "#0969da" : "#8c959f"
            let radius = point.emphasised ? 6.0 : 4.5
            if point.onFront {
                svg += """
                    <circle class="front-mark" cx="\(x, digits: 1)" cy="\(y, digits: 1)" r="\(radius + 4, digits: 1)" fill="none" stroke="#1a7f37" stroke-width="2"/>
                    """
            }
            svg += """
                <circle class="point" cx="\(x, digits: 1)" cy="\(y, digits: 1)" r="\(radius, digits: 1)" fill="\(fill)"><title>\(point.caption)</title></circle>\
                <text x="\(x + radius + 6, digits: 1)" y="\(labelY, digits: 1)"\(point.onFront ? HTML(" font-weight=\"600\"") : "")>\(HTMLBarChart.shortened(point.label, to: 28))</text>
                """
        }
        svg += "</svg>"
        return svg
    }

    /// The baseline of each point's label: beside its point, pushed down when it would overlap a label
    /// above it that starts nearby.
    func labelPositions(_ py: (Double) -> Double) -> [Double] {
        let (xScale, _) = HTMLBarChart.niceCeiling((points.map(\.x).max() ?? 0) * 1.05)
        var placed: [(x: Double, y: Double)] = []
        var result = Array(repeating: 0.0, count: points.count)
        for index in points.indices.sorted(by: { py(points[$0].y) < py(points[$1].y) }) {
            let x = plotWidth * points[index].x / xScale
            var y = py(points[index].y) + 4
            while placed.contains(where: { abs($0.x - x) < 110 && abs($0.y - y) < 13 }) { y += 13 }
            placed.append((x, y))
            result[index] = y
        }
        return result
    }

    /// The lowest y shown (a multiple of 0.1 at least 0.02 below the smallest value, 0.9 at most) and the step
    /// between y ticks.
    static func yRange(_ values: [Double]) -> (low: Double, step: Double) {
        let smallest = values.min() ?? 0
        let low = min(0.9, max(0, ((smallest - 0.02) * 10).rounded(.down) / 10))
        let span = 1 - low
        return (low, span > 0.5 ? 0.2 : span > 0.2 ? 0.1 : 0.05)
    }
}
