import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PorticoContent
import PorticoCore
import PorticoStore
import PorticoWeb
import Synchronization
import Testing

@Suite struct LoginTests {
    @Test func loginSessionAndLogout() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var browser = Browser(client)
            let anonymous = try await browser.get("/_edit/")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.location?.hasPrefix("/_login?next=") == true)

            let wrong = try await browser.login("editor", password: "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.contains("The username or password is not right."))
            #expect(browser.cookies["portico_session"] == nil)

            let login = try await browser.login("editor")
            #expect(login.status == .seeOther)
            #expect(login.location == "/_edit/")
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("portico_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))

            let dashboard = try await browser.get("/_edit/")
            #expect(dashboard.status == .ok)
            #expect(dashboard.headers[.cacheControl] == "private, no-store")
            #expect(dashboard.body.contains("Dashboard"))
            // Logged-in pages of the public site are never cacheable either.
            #expect(try await browser.get("/news").headers[.cacheControl] == "private, no-store")

            let logout = try await browser.post("/_logout")
            #expect(logout.status == .seeOther)
            #expect(browser.cookies["portico_session"] == nil)
            #expect(try await browser.get("/_edit/").status == .seeOther)
        }
    }

    @Test func sessionsAreKeptInTheStoreAndSurviveARestart() async throws {
        let f = try await EditorFixture.make()
        let box = Mutex<[String: String]>([:])
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            let cookies = browser.cookies
            box.withLock { $0 = cookies }
        }
        let saved = box.withLock { $0 }
        // A second application over the same store (another node, or after a restart).
        let other = try await PorticoServices(store: f.web.store, theme: try Theme(), clock: f.web.clock, bcryptCost: 4)
        let app = Application(responder: PorticoApplication.responder(other))
        try await app.test(.router) { client in
            var browser = Browser(client)
            browser.cookies = saved
            let page = try await browser.get("/_edit/")
            #expect(page.status == .ok)
        }
    }

    @Test func logOutEverywhereEndsEverySession() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var first = Browser(client)
            var second = Browser(client)
            _ = try await first.login("editor")
            _ = try await second.login("editor")
            _ = try await first.get("/_edit/")
            _ = try await first.post("/_logout", [("everywhere", "1")])
            #expect(try await second.get("/_edit/").status == .seeOther)
        }
    }

    @Test func repeatedFailuresAreThrottled() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var browser = Browser(client)
            for _ in 0..<5 { _ = try await browser.login("editor", password: "wrong password!") }
            let blocked = try await browser.login("editor")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers[.retryAfter] != nil)
            #expect(browser.cookies["portico_session"] == nil)
        }
    }

    @Test func loginNeedsItsCSRFTokenAndRedirectsOnlyLocally() async throws {
        let f = try await EditorFixture.make()
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.get("/_login")
            let forged = try await browser.post("/_login", [("username", "editor"), ("password", EditorFixture.password)], csrf: "forged")
            #expect(forged.status == .forbidden)
            let offsite = try await browser.post("/_login", [("username", "editor"), ("password", EditorFixture.password), ("next", "//evil.example/")])
            #expect(offsite.location == "/_edit/")
        }
    }
}

@Suite struct CSRFTests {
    @Test func stateChangingRequestsWithoutTheTokenAreRefusedAndWriteNothing() async throws {
        let f = try await EditorFixture.make()
        let news = try await f.web.item(f.web.demo, "/news")
        let before = try await f.web.content(f.web.demo).count(matching: .init())
        try await f.web.test { client in
            var browser = Browser(client)
            _ = try await browser.login("editor")
            for token in ["", "wrong-token"] {
                let add = try await browser.post("/_edit/add/news", [("type", "page"), ("title", "Forged page")], csrf: token)
                #expect(add.status == .forbidden)
                let publish = try await browser.post("/_edit/transition/news/plans-for-the-new-library-wing", [("transition", "publish")], csrf: token)
                #expect(publish.status == .forbidden)
                let delete = try await browser.post("/_edit/delete/news", [], csrf: token)
                #expect(delete.status == .forbidden)
            }
            // A cross-site form, even with a stolen token, is refused by its Origin.
            let origin = HTTPField.Name("Origin")!
            let crossSite = try await browser.request("/_edit/add/news", method: .post, form: [("_csrf", browser.csrf ?? ""), ("type", "page"), ("title", "X")], extraHeaders: [origin: "http://evil.example"])
            #expect(crossSite.status == .forbidden)
            let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
            let crossSite2 = try await browser.request("/_edit/add/news", method: .post, form: [("_csrf", browser.csrf ?? ""), ("type", "page"), ("title", "X")], extraHeaders: [fetchSite: "cross-site"])
            #expect(crossSite2.status == .forbidden)
        }
        #expect(try await f.web.content(f.web.demo).count(matching: .init()) == before)
        #expect(try await f.web.item(f.web.demo, "/news/plans-for-the-new-library-wing").state == .private)
        #expect(try await f.web.content(f.web.demo).item(id: news.id) != nil)
    }
}
