import Foundation
import LabLoopCore
import Logging
import ZeroMQ

extension AccessControl {
    /// Answers one ZAP request (RFC 27): `[version, request id, domain, address, identity,
    /// mechanism, credentials…]`. Default deny: only a CURVE key in the allowlist, usable now and
    /// with a role the domain's socket admits, is accepted; its User-Id is the public key.
    func authenticate(_ frames: [Data]) -> Screening {
        guard frames.count >= 6, frames[0] == Data("1.0".utf8) else {
            logger.error("malformed ZAP request", metadata: ["frames": "\(frames.count)"])
            return .reply([Data("1.0".utf8), frames.count > 1 ? frames[1] : Data(), Data("500".utf8),
                           Data("malformed request".utf8), Data(), Data()])
        }
        let requestID = frames[1]
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        func reply(_ status: String, _ text: String, userID: String = "") -> Screening {
            .reply([Data("1.0".utf8), requestID, Data(status.utf8), Data(text.utf8), Data(userID.utf8), Data()])
        }
        func refuse(_ fingerprint: String, _ reason: String, entry: AccessEntry? = nil) -> Screening {
            decisions.log(key: "refused \(fingerprint) \(domain) \(reason)") { suppressed in
                logger.warning("refused a connection", metadata: [
                    "key": "\(fingerprint)", "principal": "\(entry?.principal ?? "-")", "socket": "\(domain)",
                    "address": "\(address)", "reason": "\(reason)", "alsoRefusedSinceLastLog": "\(suppressed)",
                ])
                if domain == CoordinatorSocket.control.zapDomain {
                    refusedOperatorAttemptsSink.yield(RefusedAttempt(
                        principal: entry?.principal ?? "key:\(fingerprint)", role: entry?.role.rawValue ?? "",
                        arguments: "connect from \(address)" + (suppressed > 0 ? " (+\(suppressed) like it)" : ""),
                        reason: reason))
                }
            }
            return reply("400", reason)
        }
        guard let socket = CoordinatorSocket(rawValue: domain) else { return refuse("-", "unknown ZAP domain '\(domain)'") }
        guard mechanism == "CURVE" else { return refuse("-", AccessRefusal.notCurve(mechanism).description) }
        guard frames.count == 7, let key = CurveKeyPair.z85(frames[6]) else { return refuse("-", "malformed CURVE credentials") }
        var list = snapshot
        if list[key] == nil { list = reloadSoon() }
        switch list.admit(publicKey: key, on: socket, atMs: Self.nowMs) {
        case .failure(let refusal):
            return refuse(AccessEntry.fingerprint(of: key), refusal.description, entry: list[key])
        case .success(let entry):
            decisions.log(key: "accepted \(key) \(domain)") { suppressed in
                logger.info("accepted a connection", metadata: [
                    "principal": "\(entry.principal)", "role": "\(entry.role.rawValue)", "key": "\(entry.fingerprint)",
                    "socket": "\(domain)", "address": "\(address)", "alsoAcceptedSinceLastLog": "\(suppressed)",
                ])
            }
            return reply("200", "OK", userID: key)
        }
    }

    /// Decides a subscription on the manual event XPUB: frame `\u{1}topic` subscribes,
    /// `\u{0}topic` unsubscribes. A principal with a limited scope gets `hb` and the exact
    /// `ev/<campaign id>` topics of campaigns in its scope, nothing broader.
    func screenSubscription(_ frames: [Data], peer: PeerIdentity) -> Screening {
        guard frames.count == 1, let kind = frames[0].first, kind <= 1 else { return .drop }
        let topic = frames[0].dropFirst()
        if kind == 0 { return .unsubscribe(Data(topic)) }
        guard isSecure else { return .subscribe(Data(topic)) }
        guard let key = peer.userID, case .success(let entry) = snapshot.admit(publicKey: key, on: .events, atMs: Self.nowMs) else {
            return .drop
        }
        track(peer, publicKey: key)
        let principal = Principal(entry)
        let text = String(decoding: topic, as: UTF8.self)
        let allowed = principal.scope.isUnlimited || text == "hb"
            || (text.hasPrefix("ev/") && text.count > 3 && covers(principal, campaignID: String(text.dropFirst(3))))
        guard allowed else {
            decisions.log(key: "subscription \(key) \(text)") { suppressed in
                logger.notice("refused a subscription outside the subscriber's scope", metadata: [
                    "principal": "\(principal.name)", "topic": "\(text)", "alsoRefusedSinceLastLog": "\(suppressed)",
                ])
            }
            return .drop
        }
        return .subscribe(Data(topic))
    }
}
