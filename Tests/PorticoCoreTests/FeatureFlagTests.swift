import PorticoCore
import Testing

@Suite struct FeatureFlagTests {
    @Test func namesParseLooselyAndUnknownNamesDoNot() {
        #expect(FeatureFlag(name: " Feeds ") == .feeds)
        #expect(FeatureFlag(name: "comments") == nil)
        #expect(FeatureFlag.names == "search, login, feeds, uploads")
    }

    @Test func flagsAreOnUnlessSwitchedOff() {
        var flags = FeatureFlags.allOn
        #expect(flags.switchedOff.isEmpty)
        flags.set(.uploads, on: false)
        #expect(!flags.isOn(.uploads))
        #expect(flags.switchedOff == [.uploads])
        flags.set(.uploads, on: true)
        #expect(flags == FeatureFlags(enabled: [.uploads: true]))
    }
}
