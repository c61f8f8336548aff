extension CampaignActor {
    /// Waits until no change to `experimentID` is being committed. Woken by `settle(_:)`, and at
    /// the latest by the next `tick()`, so a path that clears `busy` without settling delays, never hangs.
    func untilSettled(_ experimentID: String) async {
        guard experiments[experimentID]?.busy == true else { return }
        await withCheckedContinuation { settleWaiters[experimentID, default: []].append($0) }
    }

    /// Ends a change to `experimentID` and wakes whoever waits for it.
    func settle(_ experimentID: String) {
        experiments[experimentID]?.busy = false
        for waiter in settleWaiters.removeValue(forKey: experimentID) ?? [] { waiter.resume() }
    }

    /// Wakes every waiter (they re-check); called on each tick as a bound on waiting.
    func wakeAllSettleWaiters() {
        let all = settleWaiters
        settleWaiters = [:]
        for waiter in all.values.joined() { waiter.resume() }
    }
}
