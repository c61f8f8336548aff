/// ISO 8601 timestamps for `budget.deadline`, converted without a calendar or a clock.
///
/// Accepted: `YYYY-MM-DD` (midnight UTC) and `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]` followed by
/// `Z` or an offset `±HH:MM` / `±HHMM` / `±HH`. Fractions beyond milliseconds are dropped.
enum Timestamp {
    struct Problem: Error {
        var message: String
        var hint: String?
    }

    static let example = "2026-12-01T08:00:00Z"

    /// Milliseconds since 1970-01-01T00:00:00Z.
    static func parse(_ text: String) -> Result<Int64, Problem> {
        var scanner = Scanner(Array(text.unicodeScalars))
        let notISO = Problem(message: "\(Quoting.quotedForMessage(text)) is not an ISO 8601 date and time",
                             hint: "write it like \(example)")
        guard let year = scanner.digits(4), scanner.take("-"), let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2) else { return .failure(notISO) }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else {
            return .failure(Problem(message: "\(Quoting.quotedForMessage(text)) is not a valid date",
                                    hint: "write it like \(example)"))
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        if scanner.atEnd { return .success(days * 86_400_000) }
        guard scanner.take("T") || scanner.take("t") || scanner.take(" "),
              let hour = scanner.digits(2), scanner.take(":"), let minute = scanner.digits(2) else {
            return .failure(notISO)
        }
        var second = 0
        var milliseconds = 0
        if scanner.take(":") {
            guard let value = scanner.digits(2) else { return .failure(notISO) }
            second = value
            if scanner.take(".") || scanner.take(",") {
                let fraction = scanner.allDigits()
                guard !fraction.isEmpty else { return .failure(notISO) }
                milliseconds = Int(String(String.UnicodeScalarView((fraction + ["0", "0", "0"]).prefix(3)))) ?? 0
            }
        }
        guard hour < 24, minute < 60, second < 60 else {
            return .failure(Problem(message: "\(Quoting.quotedForMessage(text)) is not a valid time of day",
                                    hint: "write it like \(example)"))
        }
        guard let offsetMinutes = scanner.zone() else {
            if scanner.atEnd {
                return .failure(Problem(message: "\(Quoting.quotedForMessage(text)) has no time zone",
                                        hint: "add Z for UTC or an offset such as +01:00"))
            }
            return .failure(notISO)
        }
        guard scanner.atEnd else { return .failure(notISO) }
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return .success(seconds * 1000 + Int64(milliseconds))
    }

    /// `2026-12-01T08:00:00Z`, with `.mmm` when there are milliseconds.
    static func format(unixMilliseconds: Int64) -> String {
        let (secondsTotal, millisecond) = floorDivide(unixMilliseconds, 1000)
        let (days, secondOfDay) = floorDivide(secondsTotal, 86_400)
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value.magnitude)
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
        text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if millisecond != 0 { text += ".\(pad(millisecond, 3))" }
        return text + "Z"
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0)
        return (quotient, a - quotient * b)
    }

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private struct Scanner {
        var scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index == scalars.count }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard index < scalars.count, scalars[index] == scalar else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= scalars.count,
                  scalars[index..<index + count].allSatisfy(ScalarValue.isDigit) else { return nil }
            defer { index += count }
            return Int(String(String.UnicodeScalarView(scalars[index..<index + count])))
        }

        mutating func allDigits() -> [Unicode.Scalar] {
            let start = index
            while index < scalars.count, ScalarValue.isDigit(scalars[index]) { index += 1 }
            return Array(scalars[start..<index])
        }

        /// Minutes east of UTC, or nil when no zone follows.
        mutating func zone() -> Int? {
            if take("Z") || take("z") { return 0 }
            let sign: Int
            if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
            guard let hours = digits(2), hours <= 23 else { return nil }
            var minutes = 0
            if take(":") {
                guard let value = digits(2) else { return nil }
                minutes = value
            } else if let value = digits(2) {
                minutes = value
            }
            guard minutes < 60 else { return nil }
            return sign * (hours * 60 + minutes)
        }
    }
}
