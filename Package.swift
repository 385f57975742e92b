// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Portico",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portico", targets: ["Portico"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The domain: no I/O, no frameworks.
        .target(
            name: "PorticoCore",
            swiftSettings: strictSettings
        ),
        // Persistence: the ContentStore contract and its SQLite implementation, blobs.
        .target(
            name: "PorticoStore",
            dependencies: [
                "PorticoCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, to decode item rows in place (see ItemRows).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The single write path: validation, permission hook, revisions, events; Markdown.
        .target(
            name: "PorticoContent",
            dependencies: [
                "PorticoCore",
                "PorticoStore",
                .product(name: "Ink", package: "Ink"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Mail archives: mbox files and RFC 5322 / MIME messages, decoded. Foundation only.
        .target(
            name: "PorticoMail",
            swiftSettings: strictSettings
        ),
        // The response cache: entries with dependencies, invalidation, single flight, admission.
        .target(
            name: "PorticoCache",
            dependencies: [
                "PorticoCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // A site's whole life outside serving: export and import archives, backup, restore, check.
        .target(
            name: "PorticoLifecycle",
            dependencies: [
                "PorticoCore",
                "PorticoStore",
                "PorticoContent",
                "PorticoMail",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Operations: configuration generators for what runs in front of Portico.
        .target(
            name: "PorticoOps",
            dependencies: ["PorticoCore"],
            swiftSettings: strictSettings
        ),
        // The Hummingbird application: site resolution, public views, theme.
        .target(
            name: "PorticoWeb",
            dependencies: [
                "PorticoCore",
                "PorticoStore",
                "PorticoContent",
                "PorticoCache",
                "PorticoLifecycle",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Theme/Default"],
            swiftSettings: strictSettings
        ),
        // The command line: thin, parses and calls into the modules.
        .executableTarget(
            name: "Portico",
            dependencies: [
                "PorticoCore",
                "PorticoStore",
                "PorticoContent",
                "PorticoWeb",
                "PorticoOps",
                "PorticoLifecycle",
                "PorticoMail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Temporary folders for the tests, removed when the test process exits.
        .target(
            name: "PorticoTestSupport",
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoCoreTests",
            dependencies: ["PorticoCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoStoreTests",
            dependencies: ["PorticoTestSupport", "PorticoCore", "PorticoStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoContentTests",
            dependencies: ["PorticoTestSupport", "PorticoCore", "PorticoStore", "PorticoContent"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoLifecycleTests",
            dependencies: ["PorticoTestSupport", "PorticoCore", "PorticoStore", "PorticoContent", "PorticoLifecycle", "PorticoMail", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoMailTests",
            dependencies: ["PorticoTestSupport", "PorticoMail"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoCacheTests",
            dependencies: ["PorticoCore", "PorticoCache", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoWebTests",
            dependencies: ["PorticoTestSupport", 
                "PorticoCore", "PorticoStore", "PorticoContent", "PorticoWeb", "PorticoCache",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The reference the theme's own Mustache renderer is checked against.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PorticoEndToEndTests",
            dependencies: ["PorticoTestSupport", "Portico"],
            swiftSettings: strictSettings
        ),
    ]
)
