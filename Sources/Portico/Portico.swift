import ArgumentParser

@main
struct Portico: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico",
        abstract: "Portico: a multi-site content management and hosting platform.",
        subcommands: [Serve.self, SiteCommand.self, UserCommand.self, RoleCommand.self, ThemeCommand.self, ConfigCommand.self, CheckCommand.self, FlagsCommand.self]
    )
}
