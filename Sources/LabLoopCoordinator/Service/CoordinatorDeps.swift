import Logging
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
