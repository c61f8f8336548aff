import LabLoopCore
import LabLoopProtocol

extension Coordinator {
    /// Whether the principal may issue this control command at all, before it runs.
    /// Observers only read; a limited scope confines reads and actions to its campaigns
    /// (and submissions to its projects); draining a shared instrument needs an unlimited operator.
    func authorize(_ command: Labloop_V1_ControlRequest.OneOf_Command, by principal: Principal) throws(WireError) {
        let access = deps.gateway.access
        func refuse(_ reason: String) -> WireError { WireError(.unauthorized, "\(principal.name) (\(principal.role.rawValue)): \(reason)") }
        func inScope(_ campaignID: String) throws(WireError) {
            guard access.covers(principal, campaignID: campaignID) else {
                throw refuse("campaign \(campaignID) is outside your scope")
            }
        }
        if principal.role == .observer, command.changesState {
            throw refuse("\(command.action) needs the operator role; observers may only read")
        }
        switch command {
        case .submit(let submit):
            guard principal.scope.isUnlimited || principal.scope.projects.contains(submit.spec.project) else {
                throw refuse("project '\(submit.spec.project)' is outside your scope")
            }
        case .getCampaign(let get): try inScope(get.campaignID)
        case .pause(let pause): try inScope(pause.campaignID)
        case .resume(let resume): try inScope(resume.campaignID)
        case .cancel(let cancel): try inScope(cancel.campaignID)
        case .approve(let approve): try inScope(approve.campaignID)
        case .reject(let reject): try inScope(reject.campaignID)
        case .export(let export): try inScope(export.campaignID)
        case .drain:
            guard principal.scope.isUnlimited else { throw refuse("draining a shared instrument needs an unlimited scope") }
        case .listCampaigns, .listInstruments, .getSchedule:
            break  // answered, filtered to the scope
        }
    }

    /// The reply with what lies outside the principal's scope removed.
    func filtered(_ reply: Labloop_V1_ControlReply, for principal: Principal) -> Labloop_V1_ControlReply {
        guard !principal.scope.isUnlimited else { return reply }
        let access = deps.gateway.access
        var reply = reply
        if case .campaigns(var list)? = reply.result {
            list.campaigns.removeAll { !access.covers(principal, campaignID: $0.campaignID) }
            reply.campaigns = list
        }
        if case .schedule(var schedule)? = reply.result {
            schedule.waiting.removeAll { !access.covers(principal, campaignID: $0.campaignID) }
            let visible = principal.scope.projects.union(schedule.waiting.map(\.project))
            schedule.projects.removeAll { !visible.contains($0.project) }
            reply.schedule = schedule
        }
        return reply
    }
}

extension Labloop_V1_ControlRequest.OneOf_Command {
    /// Whether the command changes anything (and so is audited and refused to observers).
    var changesState: Bool {
        switch self {
        case .submit, .pause, .resume, .cancel, .approve, .reject, .drain: true
        case .listCampaigns, .getCampaign, .listInstruments, .export, .getSchedule: false
        }
    }

    /// The name the audit log uses.
    var action: String {
        switch self {
        case .submit: "submit"
        case .pause: "pause"
        case .resume: "resume"
        case .cancel: "cancel"
        case .approve: "approve"
        case .reject: "reject"
        case .drain(let drain): drain.undo ? "undrain" : "drain"
        case .listCampaigns: "list-campaigns"
        case .getCampaign: "get-campaign"
        case .listInstruments: "list-instruments"
        case .export: "export"
        case .getSchedule: "get-schedule"
        }
    }

    /// The command's arguments for the audit log (never a key or secret: control carries none).
    var auditArguments: String {
        switch self {
        case .submit(let submit): "\(submit.spec.name) project=\(submit.spec.project)"
        case .pause(let pause): pause.campaignID
        case .resume(let resume): resume.campaignID
        case .cancel(let cancel): "\(cancel.campaignID) abort_running=\(cancel.abortRunning)"
        case .approve(let approve): "\(approve.campaignID) \(approve.experimentIds.joined(separator: ","))"
        case .reject(let reject): "\(reject.campaignID) \(reject.experimentIds.joined(separator: ","))"
        case .drain(let drain): drain.instrumentID
        case .getCampaign(let get): get.campaignID
        case .export(let export): export.campaignID
        case .listCampaigns, .listInstruments, .getSchedule: ""
        }
    }
}
