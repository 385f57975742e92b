/// The built-in theme, compiled into the binary (see `DefaultTheme+Files.swift`).
public enum DefaultTheme {
    /// Template names every theme provides (an operator's theme folder may override any).
    public static let templateNames = [
        "head", "foot", "home", "folder", "item", "search", "error", "platform-error",
        "editor-head", "editor-foot", "login", "dashboard", "contents", "item-form", "confirm", "history", "sharing", "settings", "users",
        "flags", "switched-off", "sites", "site-admin",
    ]
}
