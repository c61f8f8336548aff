/// A store operation that failed, with what to do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The database could not be opened, read or written (disk full, read-only, corrupt).
        case io
        /// The change contradicts what is stored (e.g. a state moved concurrently).
        case conflict
        case notFound
    }

    public var code: Code
    public var operation: String
    public var message: String
    /// SQLite's result code, when SQLite reported the failure.
    public var sqliteCode: Int32?

    public init(_ code: Code, operation: String, message: String, sqliteCode: Int32? = nil) {
        self.code = code
        self.operation = operation
        self.message = message
        self.sqliteCode = sqliteCode
    }

    public var description: String {
        let sqlite = sqliteCode.map { " (SQLite code \($0))" } ?? ""
        return "\(operation): \(message)\(sqlite)"
    }
}
