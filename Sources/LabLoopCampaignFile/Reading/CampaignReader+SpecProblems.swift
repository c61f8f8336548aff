import LabLoopCore

extension CampaignReader {
    /// Reports whatever `CampaignSpec.problems()` still finds, at the field it concerns.
    ///
    /// The file checks above are meant to catch everything first; this keeps the coordinator's
    /// own rules authoritative should they ever become stricter than the file format's.
    mutating func reportSpecProblems(_ spec: CampaignSpec, root: Position) {
        for problem in spec.problems() {
            let field = fileField(for: problem.field, in: spec)
            report(field, at: locations[field] ?? root, problem.message)
        }
    }

    /// The file's name for a `SpecProblem` field (`budget.max_experiments` → `budget.experiments`,
    /// `parameters[2]` → `parameters.catalyst`).
    private func fileField(for field: String, in spec: CampaignSpec) -> String {
        let renamed: [String: String] = [
            "budget.max_experiments": "budget.experiments",
            "budget.max_parallel": "budget.parallel",
            "retries.max_attempts": "retries.attempts",
        ]
        if let name = renamed[field] { return name }
        if field.hasPrefix("parameters["), let close = field.firstIndex(of: "]"),
           let index = Int(field[field.index(field.startIndex, offsetBy: 11)..<close]),
           spec.space.parameters.indices.contains(index) {
            return "parameters.\(spec.space.parameters[index].name)"
        }
        if field.hasPrefix("constraints["), let close = field.firstIndex(of: "]") {
            return String(field[...close])
        }
        return field
    }
}
