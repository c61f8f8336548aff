import Foundation

/// Which campaigns a key may see or act on: listed campaigns and every campaign of listed projects.
/// An empty scope is unlimited.
public struct AccessScope: Sendable, Hashable, CustomStringConvertible {
    public var campaigns: Set<String>
    public var projects: Set<String>

    public init(campaigns: Set<String> = [], projects: Set<String> = []) {
        self.campaigns = campaigns
        self.projects = projects
    }

    public static let unlimited = AccessScope()

    public var isUnlimited: Bool { campaigns.isEmpty && projects.isEmpty }

    /// Whether a campaign with this id and project is inside the scope.
    public func covers(campaignID: String, project: String) -> Bool {
        isUnlimited || campaigns.contains(campaignID) || projects.contains(project)
    }

    /// Parses `campaign:ID` and `project:NAME` items, comma-separated; "" is unlimited.
    public init(parsing text: String) throws(AccessScopeError) {
        self.init()
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw AccessScopeError(item: item) }
            switch parts[0] {
            case "campaign": campaigns.insert(parts[1])
            case "project": projects.insert(parts[1])
            default: throw AccessScopeError(item: item)
            }
        }
    }

    /// The text form `init(parsing:)` reads, sorted; "" when unlimited.
    public var description: String {
        (campaigns.sorted().map { "campaign:\($0)" } + projects.sorted().map { "project:\($0)" }).joined(separator: ",")
    }
}

public struct AccessScopeError: Error, Sendable, CustomStringConvertible {
    public var item: String
    public var description: String { "scope '\(item)': expected campaign:ID or project:NAME" }
}
