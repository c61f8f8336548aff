import Foundation
import LabLoopCore
import LabLoopProtocol

/// A standalone SVG: the objective of each experiment in order with the best-so-far line, and
/// (for two or more parameters) the objective against each parameter.
struct SVGPlot {
    let data: CampaignData
    private var svg: [String] = []
    private static let panelWidth = 300.0, panelHeight = 220.0, margin = 56.0

    init(_ data: CampaignData) {
        self.data = data
    }

    /// One point per completed experiment that reported the objective: (order, row, value).
    var points: [(index: Int, row: Labloop_V1_ExperimentRow, value: Double)] {
        data.rows.enumerated().compactMap { index, row in data.objectiveValue(row).map { (index + 1, row, $0) } }
    }

    mutating func render() -> String {
        let points = self.points
        let parameterNames = data.rows.first?.parameters.map(\.name) ?? []
        let panels = parameterNames.count >= 2 ? parameterNames : []
        let columns = max(1, min(3, panels.count))
        let rows = panels.isEmpty ? 0 : (panels.count + columns - 1) / columns
        let width = max(2 * Self.panelWidth + Self.margin, Double(columns) * (Self.panelWidth + Self.margin)) + Self.margin
        let height = 80 + Self.panelHeight + Self.margin + Double(rows) * (Self.panelHeight + Self.margin + 10) + 20
        svg = [
            ##"<?xml version="1.0" encoding="UTF-8"?>"##,
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"##,
            ##"<rect width="100%" height="100%" fill="white"/>"##,
            text(x: Self.margin, y: 28, "\(data.name) (\(data.campaignID))", size: 16, weight: "bold"),
            text(x: Self.margin, y: 48, "\(data.objective), \(data.direction == .minimize ? "minimised" : "maximised") — \(points.count) completed experiments", size: 12),
        ]
        let traceWidth = width - 2 * Self.margin
        trace(points, frame: (Self.margin, 70, traceWidth, Self.panelHeight))
        for (index, name) in panels.enumerated() {
            let x = Self.margin + Double(index % columns) * (Self.panelWidth + Self.margin)
            let y = 70 + Self.panelHeight + Self.margin + 10 + Double(index / columns) * (Self.panelHeight + Self.margin + 10)
            scatter(points, parameter: name, frame: (x, y, Self.panelWidth, Self.panelHeight))
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private mutating func trace(_ points: [(index: Int, row: Labloop_V1_ExperimentRow, value: Double)],
                                frame: (x: Double, y: Double, w: Double, h: Double)) {
        let xs = Axis(values: points.map { Double($0.index) } + [0, Double(max(1, data.rows.count))])
        let ys = Axis(values: points.map(\.value))
        axes(frame, xs, ys, xLabel: "experiment (in order)", yLabel: data.objective)
        var best: Double?
        var line: [String] = []
        svg.append(##"<g class="experiments" fill="#1f77b4" fill-opacity="0.75">"##)
        for point in points {
            let px = frame.x + xs.fraction(Double(point.index)) * frame.w
            let py = frame.y + (1 - ys.fraction(point.value)) * frame.h
            svg.append(##"<circle class="point" cx="\##(f(px))" cy="\##(f(py))" r="3.5"><title>\##(escape(point.row.experimentID)): \##(formatReal(point.value))</title></circle>"##)
            let better = best.map { data.direction == .minimize ? point.value < $0 : point.value > $0 } ?? true
            if better { best = point.value }
            if let best {
                let by = frame.y + (1 - ys.fraction(best)) * frame.h
                if let last = line.last?.split(separator: ",").last { line.append("\(f(px)),\(last)") }
                line.append("\(f(px)),\(f(by))")
            }
        }
        svg.append("</g>")
        if !line.isEmpty {
            svg.append(##"<polyline class="best-so-far" fill="none" stroke="#d62728" stroke-width="2" points="\##(line.joined(separator: " "))"/>"##)
            svg.append(text(x: frame.x + frame.w - 90, y: frame.y + 14, "— best so far", size: 11, color: "#d62728"))
        }
    }

    private mutating func scatter(_ points: [(index: Int, row: Labloop_V1_ExperimentRow, value: Double)], parameter: String,
                                  frame: (x: Double, y: Double, w: Double, h: Double)) {
        let values = points.map { point in point.row.parameters.first { $0.name == parameter }?.value }
        let categories = Array(Set(values.compactMap { value -> String? in
            if case .category(let c)? = value?.kind { return c }
            return nil
        })).sorted()
        func position(_ value: Labloop_V1_Value?) -> Double? {
            switch value?.kind {
            case .real(let x)?: x
            case .integer(let x)?: Double(x)
            case .category(let c)?: categories.firstIndex(of: c).map(Double.init)
            case nil: nil
            }
        }
        let positions = values.map(position)
        let xs = categories.isEmpty ? Axis(values: positions.compactMap { $0 })
                                    : Axis(low: -0.5, high: Double(categories.count) - 0.5, categories: categories)
        let ys = Axis(values: points.map(\.value))
        axes(frame, xs, ys, xLabel: parameter, yLabel: data.objective)
        svg.append(##"<g class="parameter-\##(escape(parameter))" fill="#2ca02c" fill-opacity="0.7">"##)
        for (point, x) in zip(points, positions) {
            guard let x else { continue }
            svg.append(##"<circle class="point" cx="\##(f(frame.x + xs.fraction(x) * frame.w))" cy="\##(f(frame.y + (1 - ys.fraction(point.value)) * frame.h))" r="3"/>"##)
        }
        svg.append("</g>")
    }

    private mutating func axes(_ frame: (x: Double, y: Double, w: Double, h: Double), _ xs: Axis, _ ys: Axis,
                               xLabel: String, yLabel: String) {
        svg.append(##"<rect x="\##(f(frame.x))" y="\##(f(frame.y))" width="\##(f(frame.w))" height="\##(f(frame.h))" fill="none" stroke="#444"/>"##)
        for (value, label) in xs.ticks {
            let x = frame.x + xs.fraction(value) * frame.w
            svg.append(##"<line x1="\##(f(x))" y1="\##(f(frame.y + frame.h))" x2="\##(f(x))" y2="\##(f(frame.y + frame.h + 4))" stroke="#444"/>"##)
            svg.append(text(x: x, y: frame.y + frame.h + 16, label, size: 10, anchor: "middle"))
        }
        for (value, label) in ys.ticks {
            let y = frame.y + (1 - ys.fraction(value)) * frame.h
            svg.append(##"<line x1="\##(f(frame.x - 4))" y1="\##(f(y))" x2="\##(f(frame.x + frame.w))" y2="\##(f(y))" stroke="#ddd"/>"##)
            svg.append(text(x: frame.x - 6, y: y + 3, label, size: 10, anchor: "end"))
        }
        svg.append(text(x: frame.x + frame.w / 2, y: frame.y + frame.h + 32, xLabel, size: 11, anchor: "middle"))
        let cx = frame.x - 42, cy = frame.y + frame.h / 2
        svg.append(##"<text x="\##(f(cx))" y="\##(f(cy))" font-size="11" text-anchor="middle" transform="rotate(-90 \##(f(cx)) \##(f(cy)))">\##(escape(yLabel))</text>"##)
    }

    private func text(x: Double, y: Double, _ content: String, size: Int, anchor: String = "start",
                      weight: String = "normal", color: String = "#222") -> String {
        ##"<text x="\##(f(x))" y="\##(f(y))" font-size="\##(size)" font-weight="\##(weight)" fill="\##(color)" text-anchor="\##(anchor)">\##(escape(content))</text>"##
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A linear axis with "nice" ticks, or category labels.
struct Axis {
    var low: Double
    var high: Double
    var ticks: [(Double, String)]

    init(values: [Double]) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high { low -= 1; high += 1 }
        let step = Axis.niceStep((high - low) / 5)
        low = (low / step).rounded(.down) * step
        high = (high / step).rounded(.up) * step
        self.low = low
        self.high = high
        ticks = stride(from: low, through: high + step / 2, by: step).map { ($0, formatReal(($0 / step).rounded() * step)) }
    }

    init(low: Double, high: Double, categories: [String]) {
        self.low = low
        self.high = high
        ticks = categories.enumerated().map { (Double($0.offset), $0.element) }
    }

    func fraction(_ value: Double) -> Double { high > low ? (value - low) / (high - low) : 0.5 }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        let unit = raw / power
        return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power
    }
}
