@testable import LabLoopCampaignFile
import Testing

@Suite struct VocabularyTests {
    @Test func suggestsTheNearestKey() {
        #expect(Suggestions.nearest("hgih", in: ["low", "high"]) == "high")
        #expect(Suggestions.nearest("Name", in: ["name"]) == "name")
        #expect(Suggestions.nearest("colour", in: Keys.root) == nil)
        #expect(Keys.suggestion(for: "maxExperiments", among: Keys.budget) == "experiments")
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("ab", "ba") == 1)
    }

    @Test func knowsCommonUnitsAndTheirMisspellings() {
        for unit in ["", "°C", "mol/L", "µL", "μL", "uL", "mL/min", "wt%", "equiv", "kHz"] {
            #expect(Units.isKnown(unit), "\(unit)")
        }
        #expect(Units.suggestion(for: "degC") == "°C")
        #expect(Units.suggestion(for: "ML") == "mL")
        #expect(Units.suggestion(for: "mbars") == "mbar")
        #expect(Units.suggestion(for: "minutes") == "min")
        #expect(Units.suggestion(for: "x") == nil)
        #expect(Units.suggestion(for: "furlong") == nil)
    }

    @Test func classifiesPlainScalarsByTheDocumentedRules() {
        #expect(ScalarValue.classify(plain: "~") == .null)
        #expect(ScalarValue.classify(plain: "Yes") == .bool(true))
        #expect(ScalarValue.classify(plain: "-0x1F") == .integer(-31))
        #expect(ScalarValue.classify(plain: "1_000") == .integer(1000))
        #expect(ScalarValue.classify(plain: "9223372036854775808") == .bigInteger)
        #expect(ScalarValue.classify(plain: "-9223372036854775808") == .integer(.min))
        #expect(ScalarValue.classify(plain: "1e3") == .real(1000))
        #expect(ScalarValue.classify(plain: "-.5") == .real(-0.5))
        #expect(ScalarValue.classify(plain: "1:30") == .string("1:30"))
        #expect(ScalarValue.classify(plain: "2026-12-01") == .string("2026-12-01"))
        #expect(ScalarValue.classify(plain: "0x") == .string("0x"))
    }

    @Test func quotesOnlyWhatNeedsQuoting() {
        #expect(Quoting.scalar("flow reactor", in: .block) == "flow reactor")
        #expect(Quoting.scalar("°C", in: .flow) == "°C")
        #expect(Quoting.scalar("%", in: .flow) == "\"%\"")
        #expect(Quoting.scalar("a: b", in: .block) == "\"a: b\"")
        #expect(Quoting.scalar("a,b", in: .flow) == "\"a,b\"")
        #expect(Quoting.scalar("a,b", in: .block) == "a,b")
        #expect(Quoting.scalar("yes", in: .block) == "\"yes\"")
        #expect(Quoting.scalar("line\nbreak", in: .block) == "\"line\\nbreak\"")
        #expect(Quoting.text("2.0", in: .flow) == "2.0")
    }
}
