import Foundation
public import LabLoopProtocol
import SwiftProtobuf

/// Parameter and measurement sets are stored as the protobuf JSON of `NamedValues`:
/// exact (integers stay integers), readable with `sqlite3`, and decodable by any protobuf library.
public enum NamedValuesJSON {
    public static func encode(_ values: [Labloop_V1_NamedValue]) -> String {
        var message = Labloop_V1_NamedValues()
        message.values = values
        do {
            return try message.jsonString()
        } catch {
            preconditionFailure("encoding NamedValues as JSON failed: \(error)")
        }
    }

    public static func decode(_ text: String) throws -> [Labloop_V1_NamedValue] {
        try Labloop_V1_NamedValues(jsonString: text).values
    }
}
