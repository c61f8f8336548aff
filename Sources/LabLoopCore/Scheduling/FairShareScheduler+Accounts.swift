/// What the scheduler keeps per project, per campaign and per running experiment, and the ordering
/// keys it derives from them.
extension FairShareScheduler {
    struct ProjectAccount: Sendable, Hashable {
        var usage: DecayedUsage
        /// Had queued or running work at the last `assign`.
        var isActive = false
    }

    struct CampaignAccount: Sendable, Hashable {
        var project: String
        var usage: DecayedUsage
        var isActive = false
        /// Smoothed duration of its finished experiments.
        var typicalDuration: Double?
    }

    struct Dispatch: Sendable, Hashable {
        var project: String
        var campaign: String
        var start: Double
    }

    /// How long an experiment of `campaign` is expected to take: its campaign's typical duration,
    /// else that of all campaigns, else `fallbackDuration`. Read afresh each time, so running
    /// experiments are re-estimated as soon as anything finishes.
    func expectedDuration(of campaign: String) -> Double {
        campaigns[campaign]?.typicalDuration ?? typicalDuration ?? Self.fallbackDuration
    }

    /// The time running experiments are still expected to take, per owner; added to the charged time
    /// in the keys. It matters most within one pass: several slots are filled at the same `now`, when
    /// no time has accrued yet, and without it one project would take them all.
    struct Outstanding {
        var projects: [String: Double] = [:]
        var campaigns: [String: Double] = [:]
    }

    func outstanding(at now: Double) -> Outstanding {
        var result = Outstanding()
        for dispatch in dispatches.values {
            let seconds = max(expectedDuration(of: dispatch.campaign) - (now - dispatch.start), 0)
            result.projects[dispatch.project, default: 0] += seconds
            result.campaigns[dispatch.campaign, default: 0] += seconds
        }
        return result
    }

    /// A project's normalised usage, the key the scheduler serves lowest first.
    func projectKey(_ project: String, at now: Double, _ outstanding: Outstanding) -> Double {
        let charged = projects[project]?.usage.seconds(at: now, decayRate: decayRate) ?? 0
        return (charged + outstanding.projects[project, default: 0]) / weight(of: project)
    }

    /// A campaign's normalised usage within its project.
    func campaignKey(_ campaign: String, at now: Double, _ outstanding: Outstanding) -> Double {
        let charged = campaigns[campaign]?.usage.seconds(at: now, decayRate: decayRate) ?? 0
        return (charged + outstanding.campaigns[campaign, default: 0]) / campaignWeight(of: campaign)
    }

    /// Marks who has work, and lifts each project (and campaign) that has just become active to the
    /// least-served of those already active, so an absence earns no catch-up burst.
    mutating func refreshActivity(queue: [QueuedExperiment], now: Double) {
        var queuedProjects = Set<String>()
        var queuedCampaigns = Set<String>()
        for entry in queue {
            queuedProjects.insert(entry.project)
            queuedCampaigns.insert(entry.campaignID)
            if projects[entry.project] == nil { projects[entry.project] = ProjectAccount(usage: DecayedUsage(at: now)) }
            if campaigns[entry.campaignID] == nil {
                campaigns[entry.campaignID] = CampaignAccount(project: entry.project, usage: DecayedUsage(at: now))
            }
            // A campaign moved to another project is shared within its new one.
            campaigns[entry.campaignID]?.project = entry.project
        }
        // Lift to time actually accrued, never to expected remaining time: an estimate (60 s before
        // any duration is known) would charge a newcomer for time nobody used, and starve it.
        let accrued = Outstanding()

        var joining: [String] = []
        var staying: [String] = []
        for (name, account) in projects {
            let active = queuedProjects.contains(name) || account.usage.running > 0
            if active { account.isActive ? staying.append(name) : joining.append(name) }
            projects[name]?.isActive = active
        }
        if let floor = staying.map({ projectKey($0, at: now, accrued) }).min() {
            for name in joining {
                let target = floor * weight(of: name)
                projects[name]?.usage.raise(to: target, at: now, decayRate: decayRate)
            }
        }

        var joiningByProject: [String: [String]] = [:]
        var stayingByProject: [String: [String]] = [:]
        for (name, account) in campaigns {
            let active = queuedCampaigns.contains(name) || account.usage.running > 0
            if active {
                if account.isActive {
                    stayingByProject[account.project, default: []].append(name)
                } else {
                    joiningByProject[account.project, default: []].append(name)
                }
            }
            campaigns[name]?.isActive = active
        }
        for (project, names) in joiningByProject {
            guard let floor = stayingByProject[project]?.map({ campaignKey($0, at: now, accrued) }).min() else { continue }
            for name in names {
                let target = floor * campaignWeight(of: name)
                campaigns[name]?.usage.raise(to: target, at: now, decayRate: decayRate)
            }
        }
    }

    /// Records `entry` as started at `now`; a still-running earlier dispatch of it ends first.
    mutating func start(_ entry: QueuedExperiment, at now: Double) {
        if dispatches[entry.experimentID] != nil { finished(experimentID: entry.experimentID, at: now) }
        dispatches[entry.experimentID] = Dispatch(project: entry.project, campaign: entry.campaignID, start: now)
        projects[entry.project, default: ProjectAccount(usage: DecayedUsage(at: now))]
            .usage.start(at: now, decayRate: decayRate)
        projects[entry.project]?.isActive = true
        campaigns[entry.campaignID, default: CampaignAccount(project: entry.project, usage: DecayedUsage(at: now))]
            .usage.start(at: now, decayRate: decayRate)
        campaigns[entry.campaignID]?.isActive = true
    }
}
