public import Foundation
public import PorticoCore
import PorticoStore

/// The sample site created on first run, so that a new installation shows a real website:
/// a home page, a news folder, events, an image, a PDF, a link and one private draft.
public enum DemoSite {
    public static let id = "demo"

    /// Creates the demo site through the normal write path (so it has revisions and events).
    @discardableResult
    public static func create(administration: SiteAdministration, content: ContentService, id rawID: String = DemoSite.id, hostnames: [String] = ["demo.localhost"]) async throws -> Site {
        let site = try await administration.updateSite(
            try await administration.createSite(id: rawID, name: "Northfield College", hostnames: hostnames).id
        ) { site in
            site.settings.tagline = "Learning and research since 1891"
            site.settings.footerText = "Northfield College · 12 Market Street · Northfield\nThis is Portico's demo site: edit or delete it as you like."
        }
        let store = try await content.store.content(of: site.id)
        let root = try await store.root()
        let now = content.clock.now()
        let day: TimeInterval = 86_400
        let system = Principal.system

        var rootDraft = ItemDraft(root)
        rootDraft.description = "A small college with a big community: 3,200 students, 40 programmes, one campus by the river."
        rootDraft.body = """
            Welcome to **Northfield College**. Whether you are thinking of studying with us, already part of \
            our community or visiting the town, you will find what you need here.

            - Read the [latest news](/news) from around the campus.
            - Come to an [open day](/events) and meet our students and staff.
            - Learn [about the college](/about), its history and how it is run.
            """
        try await content.update(in: site.id, id: root.id, rootDraft, expectedVersion: root.version, by: system, comment: "Home page text")

        let about = try await content.create(in: site.id, under: root.id, ItemDraft(
            type: .folder, title: "About us", slug: "about", description: "Who we are, how we are run, and where to find us."
        ), state: .published, by: system)
        let news = try await content.create(in: site.id, under: root.id, ItemDraft(
            type: .folder, title: "News", description: "Stories from around the campus."
        ), state: .published, by: system)
        let events = try await content.create(in: site.id, under: root.id, ItemDraft(
            type: .folder, title: "Events", description: "Open days, lectures and concerts."
        ), state: .published, by: system)
        try await content.create(in: site.id, under: root.id, ItemDraft(
            type: .page, title: "Contact", description: "How to reach us.",
            body: """
                ## Visiting

                The college is at **12 Market Street**, five minutes' walk from the station.

                ## Writing to us

                - Admissions: [admissions@example.org](mailto:admissions@example.org)
                - Press office: [press@example.org](mailto:press@example.org)
                """
        ), state: .published, by: system)

        try await content.create(in: site.id, under: about.id, ItemDraft(
            type: .page, title: "Our history", description: "From a reading room for apprentices to a college of 3,200 students.",
            body: """
                Northfield College began in **1891** as a reading room for the apprentices of the town's mills.

                ## Milestones

                1. 1891 — the reading room opens in Market Street.
                2. 1923 — the first degree courses.
                3. 1968 — the riverside campus is built.
                4. 2019 — the new science building opens.

                > "A place where anyone may learn." — the founders' motto
                """
        ), state: .published, by: system)
        let photo = SampleMedia.banner(width: 480, height: 270, red: 29, green: 79, blue: 145)
        let (imageBlob, imageSize) = try await content.storeBlob(in: site.id, data: photo, filename: "campus.png")
        try await content.create(in: site.id, under: about.id, ItemDraft(
            type: .image, title: "The riverside campus", description: "The riverside campus seen from the footbridge.",
            blob: imageBlob, imageSize: imageSize
        ), state: .published, by: system)
        let report = SampleMedia.pdf(title: "Northfield College - Annual report", lines: [
            "Students: 3,200", "Programmes: 40", "Staff: 410", "This document is sample content of the Portico demo site.",
        ])
        let (reportBlob, _) = try await content.storeBlob(in: site.id, data: report, filename: "annual-report.pdf")
        try await content.create(in: site.id, under: about.id, ItemDraft(
            type: .file, title: "Annual report", slug: "annual-report.pdf", description: "Facts and figures for the last academic year (PDF).",
            blob: reportBlob
        ), state: .published, by: system)
        try await content.create(in: site.id, under: about.id, ItemDraft(
            type: .link, title: "Town of Northfield", description: "The town council's website.", linkTarget: "https://example.org/"
        ), state: .published, by: system)

        let stories: [(String, String, String)] = [
            ("New science building wins design award", "The building was praised for its light, its labs and its low energy use.", "The **regional architecture prize** went to our science building this year. The jury praised its daylight, its open laboratories and its energy use, a third of the region's average."),
            ("Record number of applications", "More people than ever want to study at Northfield.", "Applications rose by **18 %** this year, led by the engineering and nursing programmes."),
            ("Library opens around the clock during exams", "From 1 December the library stays open 24 hours a day.", "During the exam period the main library will be open **24 hours a day**, seven days a week. Staffed help desks run from 8:00 to 22:00."),
            ("Students restore the old mill wheel", "A volunteer project brings a piece of the town's history back to life.", "Forty students from the engineering society spent their weekends restoring the **1887 mill wheel** by the river."),
            ("College choir to tour three cities", "The choir travels in spring with a programme of new music.", "The college choir will perform in three cities this spring. Tickets are free for students."),
            ("Welcome to our new students", "Over 900 new students started their studies this autumn.", "A warm welcome to the **900 new students** who joined us this term. Welcome week events run until Friday."),
        ]
        for (index, story) in stories.enumerated() {
            try await content.create(in: site.id, under: news.id, ItemDraft(
                type: .news, title: story.0, description: story.1, body: story.2, tags: ["campus"],
                effective: now.addingTimeInterval(-Double(index * 6 + 1) * day)
            ), state: .published, by: system)
        }
        try await content.create(in: site.id, under: news.id, ItemDraft(
            type: .news, title: "Plans for the new library wing", description: "Draft: not yet approved by the board.",
            body: "This announcement is a **private draft**: visitors cannot see it anywhere."
        ), state: .private, by: system)

        // Events start at 10:00 on a day a few weeks ahead.
        let today = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / day).rounded(.down) * day)
        let openDay = today.addingTimeInterval(21 * day + 10 * 3600)
        try await content.create(in: site.id, under: events.id, ItemDraft(
            type: .event, title: "Open day", description: "Visit the campus, meet students and staff, and try a lecture.",
            body: "Tours leave from the main entrance every half hour. No need to book.",
            event: EventDetails(start: openDay, end: openDay.addingTimeInterval(6 * 3600), location: "Main building, 12 Market Street")
        ), state: .published, by: system)
        let lecture = today.addingTimeInterval(9 * day + 18 * 3600)
        try await content.create(in: site.id, under: events.id, ItemDraft(
            type: .event, title: "Public lecture: rivers and towns", description: "How rivers shaped the towns of the north.",
            event: EventDetails(start: lecture, end: lecture.addingTimeInterval(5400), location: "Lecture hall A")
        ), state: .published, by: system)
        return site
    }
}
