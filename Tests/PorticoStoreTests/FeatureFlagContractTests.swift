import Foundation
import PorticoCore
import PorticoStore
import Testing

/// Feature switches are part of the store contract: every process sharing the data folder
/// must read what another one wrote.
extension ContentStoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func featureFlagsDefaultOnAndRoundTrip(kind: StoreKind) async throws {
        let store = try kind.make()
        let fresh = try await store.featureFlags()
        #expect(fresh == .allOn)
        #expect(FeatureFlag.allCases.allSatisfy { fresh.isOn($0) })

        try await store.setFeatureFlag(.feeds, enabled: false, by: "jane", at: epoch)
        var flags = try await store.featureFlags()
        #expect(!flags.isOn(.feeds))
        #expect(flags.isOn(.search) && flags.isOn(.login) && flags.isOn(.uploads))
        #expect(flags.switchedOff == [.feeds])
        #expect(flags.changes[.feeds] == FeatureFlags.Change(at: epoch, by: "jane"))
        #expect(flags.changes[.search] == nil)

        // Setting again replaces the row, with the new author and date.
        let later = epoch.addingTimeInterval(60)
        try await store.setFeatureFlag(.feeds, enabled: true, by: "command line", at: later)
        try await store.setFeatureFlag(.login, enabled: false, by: "jane", at: later)
        flags = try await store.featureFlags()
        #expect(flags.isOn(.feeds))
        #expect(flags.switchedOff == [.login])
        #expect(flags.changes[.feeds] == FeatureFlags.Change(at: later, by: "command line"))
    }
}
