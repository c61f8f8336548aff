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
        // rename(2) replaces atomically. (Foundation's replaceItemAt fails on Linux when the
        // destination does not exist yet, which for a new result it never does.)
        guard rename(temporary.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                                                           NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
        }
        // Make the new name itself durable: fsync the directory.
        let directoryFD = open(directory.path, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
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
