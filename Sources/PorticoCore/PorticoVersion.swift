/// The version of the running code, reported by `/_monitor/version` so that an operator can
/// see at a glance whether every node runs the same release.
public enum PorticoVersion {
    public static let string = "0.2.0"
}
