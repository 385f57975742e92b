import Foundation
import HTTPTypes
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Testing

/// Every role × every state × every action, asserted over HTTP against a table written out by
/// hand (not computed by the policy under test).
///
/// Items are created by `contributor` (their owner) in the published folder /docs. Roles are
/// granted on the site root, except `docseditor`, who is Editor on /docs only (a local role).
/// Cells: "Y" allowed, "F" forbidden (403: may see it, may not do it), "N" not found (404: may
/// not know it exists), "L" redirected to the login page.
@Suite struct PermissionMatrixTests {
    static let people = ["anonymous", "outsider", "member", "contributor", "other", "reviewer", "editor", "docseditor", "manager"]

    /// Viewing the item's public page.
    static let view: [ItemState: String] = [
        //              anon outs memb cont othr revw edit docs mana
        .private:   "N N N Y N N Y Y Y",
        .pending:   "N N N Y N Y Y Y Y",
        .published: "Y Y Y Y Y Y Y Y Y",
    ]
    /// Opening the edit form.
    static let edit: [ItemState: String] = [
        .private:   "L N N Y N N Y Y Y",
        .pending:   "L N N F N F Y Y Y",
        .published: "L F F F F F Y Y Y",
    ]
    /// Opening the delete confirmation.
    static let delete: [ItemState: String] = [
        .private:   "L N N Y N N Y Y Y",
        .pending:   "L N N F N F Y Y Y",
        .published: "L F F F F F Y Y Y",
    ]
    /// Opening the sharing page (managing local roles) of the item.
    static let sharing: [ItemState: String] = [
        .private:   "L N N F N N F F Y",
        .pending:   "L N N F N F F F Y",
        .published: "L F F F F F F F Y",
    ]
    /// Workflow transitions possible from each state.
    static let transitions: [ItemState: [(Transition, String)]] = [
        .private: [(.submit, "F N N Y N N Y Y Y"), (.publish, "F N N F N N Y Y Y")],
        .pending: [(.publish, "F N N F N Y Y Y Y"), (.reject, "F N N F N Y Y Y Y")],
        .published: [(.retract, "F F F F F Y Y Y Y")],
    ]
    /// Adding a page inside /docs (the folder is published).
    static let addChild = "L F F Y Y F Y Y Y"
    /// The editor's contents view of /docs.
    static let contents = "L F Y Y Y Y Y Y Y"

    static func cells(_ row: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(people, row.split(separator: " ").map(String.init)))
    }

    static func expectedStatus(_ cell: String, success: HTTPResponse.Status) -> HTTPResponse.Status {
        switch cell {
        case "Y": return success
        case "F": return .forbidden
        case "N": return .notFound
        default: return .seeOther
        }
    }

    func browser(for person: String, _ client: any TestClientProtocol) async throws -> Browser {
        var browser = Browser(client)
        if person != "anonymous" {
            let login = try await browser.login(person)
            #expect(login.status == .seeOther, "login \(person)")
            _ = try await browser.get("/")  // the edit bar carries the session's CSRF token
        }
        return browser
    }

    /// An item in /docs in `state`, owned by `contributor`.
    func makeItem(_ f: EditorFixture, state: ItemState, title: String) async throws -> Item {
        let docs = try await f.web.item(f.web.demo, "/docs")
        let item = try await f.web.services.content.create(in: f.web.demo.id, under: docs.id, ItemDraft(type: .page, title: title), by: f.principal("contributor"))
        if state == .private { return item }
        return try await f.web.services.content.setState(in: f.web.demo.id, id: item.id, to: state, by: .system)
    }

    @Test(arguments: ItemState.allCases)
    func viewEditAndDelete(state: ItemState) async throws {
        let f = try await EditorFixture.make()
        let item = try await makeItem(f, state: state, title: "Matrix \(state.rawValue)")
        try await f.web.test { client in
            for person in Self.people {
                var browser = try await browser(for: person, client)
                let view = try await browser.get(item.path)
                #expect(view.status == Self.expectedStatus(Self.cells(Self.view[state]!)[person]!, success: .ok), "view \(state) as \(person)")
                let edit = try await browser.get("/_edit/edit" + item.path)
                #expect(edit.status == Self.expectedStatus(Self.cells(Self.edit[state]!)[person]!, success: .ok), "edit \(state) as \(person)")
                let delete = try await browser.get("/_edit/delete" + item.path)
                #expect(delete.status == Self.expectedStatus(Self.cells(Self.delete[state]!)[person]!, success: .ok), "delete \(state) as \(person)")
                let sharing = try await browser.get("/_edit/sharing" + item.path)
                #expect(sharing.status == Self.expectedStatus(Self.cells(Self.sharing[state]!)[person]!, success: .ok), "sharing \(state) as \(person)")
            }
        }
    }

    @Test(arguments: ItemState.allCases)
    func workflowTransitions(state: ItemState) async throws {
        let f = try await EditorFixture.make()
        for (transition, row) in Self.transitions[state]! {
            let cells = Self.cells(row)
            for person in Self.people {
                let item = try await makeItem(f, state: state, title: "T \(transition.rawValue) \(person)")
                try await f.web.test { client in
                    var browser = try await browser(for: person, client)
                    let response = try await browser.post("/_edit/transition" + item.path, [("transition", transition.rawValue), ("comment", "by \(person)")])
                    let expected: HTTPResponse.Status = person == "anonymous" ? .forbidden : Self.expectedStatus(cells[person]!, success: .seeOther)
                    #expect(response.status == expected, "\(transition) from \(state) as \(person)")
                }
                let after = try await f.web.item(f.web.demo, item.path)
                let allowed = cells[person] == "Y" && person != "anonymous"
                #expect(after.state == (allowed ? transition.target : state), "\(transition) from \(state) as \(person) changed state")
                if allowed {
                    let revisions = try await f.web.content(f.web.demo).revisions(of: item.id)
                    #expect(revisions.last?.comment == "\(transition.doneMessage): by \(person)")
                }
            }
        }
    }

    @Test func addingAndListing() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            for person in Self.people {
                var browser = try await browser(for: person, client)
                let form = try await browser.get("/_edit/add/docs?type=page")
                #expect(form.status == Self.expectedStatus(Self.cells(Self.addChild)[person]!, success: .ok), "add form as \(person)")
                let listing = try await browser.get("/_edit/contents/docs")
                #expect(listing.status == Self.expectedStatus(Self.cells(Self.contents)[person]!, success: .ok), "contents as \(person)")
                if person != "anonymous" {
                    let created = try await browser.post("/_edit/add/docs", [("type", "page"), ("title", "Added by \(person)")])
                    let expected: HTTPResponse.Status = Self.expectedStatus(Self.cells(Self.addChild)[person]!, success: .seeOther)
                    #expect(created.status == expected, "add as \(person)")
                }
            }
        }
    }

    @Test func localRolesApplyBelowTheirFolderOnly() async throws {
        let f = try await EditorFixture.make()
        let root = try await f.web.content(f.web.demo).root()
        let elsewhere = try await f.web.services.content.create(in: f.web.demo.id, under: root.id, ItemDraft(type: .page, title: "Elsewhere draft"), by: .system)
        let inside = try await makeItem(f, state: .private, title: "Inside docs")
        try await f.web.test { client in
            var browser = try await browser(for: "docseditor", client)
            #expect(try await browser.get("/_edit/edit" + inside.path).status == .ok)
            #expect(try await browser.get("/_edit/edit" + elsewhere.path).status == .notFound)
            #expect(try await browser.get("/_edit/edit/about/our-history").status == .forbidden)
        }
    }

    @Test func membersOnlyFolders() async throws {
        let f = try await EditorFixture.make()
        let root = try await f.web.content(f.web.demo).root()
        let intranet = try await f.web.services.content.create(in: f.web.demo.id, under: root.id, ItemDraft(type: .folder, title: "Intranet", membersOnly: true), state: .published, by: .system)
        let memo = try await f.web.services.content.create(in: f.web.demo.id, under: intranet.id, ItemDraft(type: .news, title: "Staff memo zeppelin"), state: .published, by: .system)
        try await f.web.test { client in
            for (person, expected) in [("anonymous", HTTPResponse.Status.notFound), ("outsider", .notFound), ("member", .ok), ("reviewer", .ok), ("editor", .ok)] {
                var browser = try await browser(for: person, client)
                #expect(try await browser.get(memo.path).status == expected, "\(person)")
            }
            var anonymous = Browser(client)
            for surface in ["/", "/feed.xml", "/sitemap.xml"] {
                #expect(!(try await anonymous.get(surface).body.contains("zeppelin")), "\(surface)")
            }
        }
    }

    @Test func rolesArePerSite() async throws {
        let f = try await EditorFixture.make()
        let betaRoot = try await f.web.content(f.web.beta).root()
        let secret = try await f.web.services.content.create(in: f.web.beta.id, under: betaRoot.id, ItemDraft(type: .page, title: "Beta secret"), by: .system)
        try await f.web.test { client in
            var browser = Browser(client, host: "beta.test")
            _ = try await browser.login("editor")
            let dashboard = try await browser.get("/_edit/")
            #expect(dashboard.status == .forbidden)
            #expect(!dashboard.body.contains("Northfield"))
            #expect(try await browser.get(secret.path).status == .notFound)
            #expect(try await browser.get("/_edit/edit" + secret.path).status == .notFound)
            #expect(try await browser.get("/_edit/contents/").status == .forbidden)
        }
    }
}
