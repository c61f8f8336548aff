/// A socket a `SocketLoop` creates on its thread: its type, options, and where it binds or connects.
public struct SocketSpec: Sendable, Hashable {
    public enum Attachment: Sendable, Hashable {
        case bind(String)
        case connect(String)
    }

    public var name: String
    public var type: SocketType
    public var attachment: Attachment
    public var options: SocketOptions

    public init(name: String, type: SocketType, attachment: Attachment, options: SocketOptions = SocketOptions()) {
        self.name = name
        self.type = type
        self.attachment = attachment
        self.options = options
    }
}
