import Foundation

/// A horizontal bar chart in inline SVG, each bar with an optional interval whisker.
struct HTMLBarChart {
    /// One bar.
    struct Bar {
        var label: String
        var detail: String
        var value: Double
        var lower: Double?
        var upper: Double?
        /// Drawn in the alarm colour (the odd one out).
        var highlighted: Bool
        /// Text at the end of the bar.
        var caption: String
    }

    var bars: [Bar]
    /// How values print on the axis.
    var axisFormat: (Double) -> String
    var labelWidth = 230.0
    var plotWidth = 430.0
    var captionWidth = 190.0
    var rowHeight = 30.0

    /// The chart; the scale runs from 0 to a round number above the largest whisker.
    func render() -> HTML {
        let top = bars.map { max($0.value, $0.upper ?? 0) }.max() ?? 0
        let (scale, ticks) = Self.niceCeiling(top)
        let width = labelWidth + plotWidth + captionWidth
        let height = Double(bars.count) * rowHeight + 28
        func x(_ v: Double) -> Double { labelWidth + plotWidth * min(max(v / scale, 0), 1) }
        var svg: HTML = """
            <svg viewBox="0 0 \(width, digits: 0) \(height, digits: 0)" width="\(width, digits: 0)" role="img">
            """
        for tick in 0...ticks {
            let value = scale * Double(tick) / Double(ticks)
            svg += """
                <line x1="\(x(value), digits: 1)" x2="\(x(value), digits: 1)" y1="4" y2="\(height - 22, digits: 1)" stroke="#eaeef2"/>\
                <text class="axis" x="\(x(value), digits: 1)" y="\(height - 8, digits: 1)" text-anchor="middle">\(axisFormat(value))</text>
                """
        }
        for (index, bar) in bars.enumerated() {
            let y = 6 + Double(index) * rowHeight
            let fill = bar.highlighted ? "#cf222e" : "#6e9fd8"
            svg += """
                <text x="\(labelWidth - 10, digits: 1)" y="\(y + 12, digits: 1)" text-anchor="end" font-weight="600">\(bar.label)</text>\
                <text class="axis" x="\(labelWidth - 10, digits: 1)" y="\(y + 24, digits: 1)" text-anchor="end">\(Self.shortened(bar.detail, to: Int(labelWidth / 6.5)))</text>\
                <rect x="\(labelWidth, digits: 1)" y="\(y + 4, digits: 1)" width="\(max(x(bar.value) - labelWidth, 1.5), digits: 1)" height="16" rx="3" fill="\(fill)"><title>\(bar.label): \(bar.caption)</title></rect>
                """
            if let lower = bar.lower, let upper = bar.upper {
                let mid = y + 12
                svg += """
                    <line x1="\(x(lower), digits: 1)" x2="\(x(upper), digits: 1)" y1="\(mid, digits: 1)" y2="\(mid, digits: 1)" stroke="#24292f" stroke-width="1.5"/>\
                    <line x1="\(x(lower), digits: 1)" x2="\(x(lower), digits: 1)" y1="\(mid - 6, digits: 1)" y2="\(mid + 6, digits: 1)" stroke="#24292f" stroke-width="1.5"/>\
                    <line x1="\(x(upper), digits: 1)" x2="\(x(upper), digits: 1)" y1="\(mid - 6, digits: 1)" y2="\(mid + 6, digits: 1)" stroke="#24292f" stroke-width="1.5"/>
                    """
            }
            svg += """
                <text x="\(labelWidth + plotWidth + 10, digits: 1)" y="\(y + 16, digits: 1)">\(bar.caption)</text>
                """
        }
        svg += "</svg>"
        return svg
    }

    /// `text` cut to `limit` characters with an ellipsis, so a long list of backends stays inside its column.
    static func shortened(_ text: String, to limit: Int) -> String {
        text.count > limit ? String(text.prefix(max(limit - 1, 1))) + "…" : text
    }

    /// The smallest of 1, 2, 2.5, 4, 5 × 10ⁿ at or above `value` (at least 0.05, so an all-zero chart has an
    /// axis), with the number of tick intervals that keeps every tick a round number.
    static func niceCeiling(_ value: Double) -> (scale: Double, ticks: Int) {
        let v = max(value, 0.05)
        let magnitude = pow(10, floor(log10(v)))
        for (step, ticks) in [(1.0, 5), (2, 4), (2.5, 5), (4, 4), (5, 5)] where step * magnitude >= v * 0.999_999 {
            return (step * magnitude, ticks)
        }
        return (10 * magnitude, 5)
    }
}
