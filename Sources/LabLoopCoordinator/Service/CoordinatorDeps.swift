import Logging
import LabLoopCore
import LabLoopStore

/// What the coordinator's actors share. Each is Sendable: actors or thread-safe handles.
struct CoordinatorDeps: Sendable {
    let store: Store
    let gateway: Gateway
    let registry: InstrumentRegistry
    let models: ModelDirectory
    let dispatcher: Dispatcher
    let config: CoordinatorConfig
    let logger: Logger
}

extension CoordinatorDeps {
    /// Sends an assignment held ahead whose slot just freed, then tells its campaign it has left.
    func send(_ promotion: Promotion) async {
        await promotion.deliver(through: gateway)
    }

    /// Withdraws assignments taken back from an instrument before they were sent.
    func withdraw(_ held: [HeldAssignment], from instrumentID: String, reason: String) async {
        for item in held {
            await item.campaign.withdraw(item.entry, from: instrumentID, to: .queued, reason: reason)
        }
    }
}
