import Logging

enum CLILogging {
    /// Logs to standard error at `level` (trace, debug, info, notice, warning, error, critical).
    static func bootstrap(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
