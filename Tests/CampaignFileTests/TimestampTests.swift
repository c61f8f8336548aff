@testable import LabLoopCampaignFile
import Testing

@Suite struct TimestampTests {
    private func milliseconds(_ text: String) -> Int64? {
        if case .success(let value) = Timestamp.parse(text) { return value }
        return nil
    }

    @Test func readsISO8601WithAZone() {
        #expect(milliseconds("1970-01-01T00:00:00Z") == 0)
        #expect(milliseconds("2026-12-01T08:00:00Z") == 1_796_112_000_000)
        #expect(milliseconds("2026-12-01T09:00:00+01:00") == 1_796_112_000_000)
        #expect(milliseconds("2026-12-01 03:00:00-0500") == 1_796_112_000_000)
        #expect(milliseconds("2026-12-01T08:00Z") == 1_796_112_000_000)
        #expect(milliseconds("2026-12-01T08:00:00.1234Z") == 1_796_112_000_123)
        #expect(milliseconds("2026-12-01") == 1_796_083_200_000)
        #expect(milliseconds("2024-02-29T00:00:00Z") == 1_709_164_800_000)
    }

    @Test func refusesWhatIsNotADateAndTime() {
        for text in ["2026-12-01T08:00:00", "2026-02-30", "2025-02-29", "2026-12-01T24:00:00Z", "tomorrow",
                     "2026-12-1", "2026-12-01T08:00:00+25:00", "2026-12-01T08:00:00Zjunk", "1796112000000"] {
            #expect(milliseconds(text) == nil, "\(text)")
        }
    }

    @Test func formatsWhatItReads() {
        for value: Int64 in [0, 1_796_112_000_000, 1_796_113_800_250, -1, -86_400_001, 253_402_300_799_999] {
            #expect(milliseconds(Timestamp.format(unixMilliseconds: value)) == value)
        }
        #expect(Timestamp.format(unixMilliseconds: 1_796_113_800_250) == "2026-12-01T08:30:00.250Z")
    }
}
