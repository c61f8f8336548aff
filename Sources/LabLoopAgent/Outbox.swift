import Foundation
import LabLoopProtocol
import SwiftProtobuf

/// Results not yet acknowledged, one file per message in a directory: written (and fsynced)
/// before the first send, deleted when the coordinator acknowledges. Survives an agent crash.
struct Outbox: Sendable {
    struct Entry: Sendable {
        var messageID: String
        var experimentID: String
        var frame: Data
    }

    let directory: URL

    init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func file(_ messageID: String) -> URL {
        directory.appendingPathComponent(messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" } + ".envelope")
    }

    func put(_ envelope: Labloop_V1_Envelope) throws {
        let url = file(envelope.messageID)
        let temporary = url.appendingPathExtension("tmp")
        let data: Data = envelope.frame()
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        let handle = try FileHandle(forUpdating: temporary)
        try handle.synchronize()
        try handle.close()
        _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
    }

    func remove(_ messageID: String) {
        try? FileManager.default.removeItem(at: file(messageID))
    }

    func entries() -> [Entry] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "envelope" }.sorted { $0.path < $1.path }.compactMap { url in
            guard let data = try? Data(contentsOf: url), let envelope = try? Labloop_V1_Envelope(serializedBytes: data),
                  case .result(let result)? = envelope.body else { return nil }
            return Entry(messageID: envelope.messageID, experimentID: result.experimentID, frame: data)
        }
    }
}
