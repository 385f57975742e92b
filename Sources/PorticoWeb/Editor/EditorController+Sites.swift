import Foundation
import Hummingbird
import HTTPTypes
import Logging
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore

/// `/_edit/sites`: every site of the platform, and making new ones (empty, as a copy of another,
/// or from an uploaded archive). For platform administrators only: to anyone else the pages do
/// not exist (404), like `/_edit/flags`. The site in the address bar only frames the page.
extension EditorController {
    var operations: SiteOperations { SiteOperations(services: services) }

    /// What was typed into the two forms of the sites page, kept when it comes back with an error.
    struct SitesForms {
        var create: [String: String] = [:]
        var createError: String?
        var upload: [String: String] = [:]
        var uploadError: String?
    }

    func sites(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        try requirePlatformAdmin(context)
        let query = request.uri.queryParameters
        let flash = SiteAdminFeedback.message(query.get("done"), site: query.get("site"), count: nil)
        let listing = SiteListing(filter: query.get("q").map { String($0) }, page: query.get("page").map { String($0) })
        return try await sitesPage(site, context, forms: SitesForms(), listing: listing, flash: flash)
    }

    func sitesPage(_ current: Site, _ context: PorticoRequestContext, forms: SitesForms, listing: SiteListing = SiteListing(),
                   flash: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        var values = try await base(current, context, title: "Sites")
        let all = try await services.store.sites()
        let list = listing.apply(all)
        let sitesURL = context.basePath + "/_edit/sites"
        values["sites"] = list.shown.map { site -> [String: Any] in
            [
                "id": site.id.rawValue, "name": site.settings.name, "active": site.status == .active,
                "hostnames": site.hostnames.joined(separator: ", "), "homeURL": homeURL(of: site, context) ?? "",
                "manageURL": sitesURL + "/\(site.id)",
            ]
        }
        values["count"] = all.count
        values["q"] = listing.filter
        values["sitesURL"] = sitesURL
        values["noMatch"] = list.matching == 0
        if list.pages > 1 || !listing.filter.isEmpty {
            values["range"] = "\(list.first)–\(list.last) of \(list.matching)" + (listing.filter.isEmpty ? "" : " matching")
        }
        if list.page > 1 { values["previousURL"] = listing.url(sitesURL, page: list.page - 1) }
        if list.page < list.pages { values["nextURL"] = listing.url(sitesURL, page: list.page + 1) }
        values["hasChoices"] = all.count <= SiteListing.maximumChoices
        if all.count <= SiteListing.maximumChoices {
            values["sources"] = all.sorted { $0.id < $1.id }.map {
                ["id": $0.id.rawValue, "name": $0.settings.name, "selected": forms.create["copyFrom"] == $0.id.rawValue]
            }
        }
        values["create"] = forms.create
        values["createError"] = forms.createError
        values["upload"] = forms.upload
        values["uploadError"] = forms.uploadError
        if forms.createError != nil || forms.uploadError != nil { values["error"] = "Nothing was created: see the message by the form below." }
        values["createAction"] = sitesURL
        values["importAction"] = sitesURL + "/import"
        values["archiveLimit"] = Formatting.size(Int64(operations.archiveUploadLimit))
        values["flash"] = flash
        return views.page("sites", values, status: status)
    }

    /// Creates an empty site, or a copy of the site chosen under "copy from".
    func createSite(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (current, _) = try requireLogin(request, context) else { throw PorticoError.notFound("page") }
        try requirePlatformAdmin(context)
        let form = try await readForm(request)
        try verifyCSRF(request, form, context)
        var forms = SitesForms()
        for name in ["id", "name", "hostnames", "copyFrom"] { forms.create[name] = form[name] ?? "" }
        let id = (form["id"] ?? "").trimmingCharacters(in: .whitespaces)
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let source = form["copyFrom"] ?? ""
        let hostnames = Self.lines(form["hostnames"])
        let problem: String?
        if let invalid = Self.newSiteProblem(id: id, hostnames: hostnames) {
            problem = invalid
        } else if source.isEmpty && name.isEmpty {
            problem = "Give the site a name."
        } else if !name.isEmpty, let invalid = SiteSettings(name: name).problems().first {
            // Checked before a copy is made, so that a copy is never left with the wrong name.
            problem = "The name \(invalid.message)."
        } else {
            problem = nil
        }
        if let problem {
            forms.createError = problem
            return try await sitesPage(current, context, forms: forms, status: .unprocessableContent)
        }
        do {
            let siteID = try SiteID(id)
            if source.isEmpty {
                try await services.administration.createSite(id: id, name: name, hostnames: hostnames, by: context.principal)
                SiteAdminFeedback.audit("created site", site: siteID, context: context, ["hostnames": "\(hostnames.joined(separator: ","))"])
                return EditorViews.redirect(context.basePath + "/_edit/sites/\(siteID)?done=created&site=\(siteID)")
            }
            let sourceID = try SiteID(source)
            let report = try await operations.copy(sourceID, as: siteID, hostnames: hostnames, name: name.isEmpty ? nil : name, by: context.principal)
            SiteAdminFeedback.audit("copied site", site: siteID, context: context, ["from": "\(sourceID)", "items": "\(report.counts.items)", "blobs": "\(report.counts.blobs)"])
            return EditorViews.redirect(context.basePath + "/_edit/sites/\(siteID)?done=copied&site=\(siteID)")
        } catch {
            let failure = AdminFailure(error)
            SiteAdminFeedback.audit(failed: source.isEmpty ? "create" : "copy from \(source)", site: id, failure: failure, error: error, context: context)
            forms.createError = failure.message
            return try await sitesPage(current, context, forms: forms, status: failure.status)
        }
    }

    /// What is wrong with the id and hostnames typed for a new site, checked before any work.
    static func newSiteProblem(id: String, hostnames: [String]) -> String? {
        if let reason = SiteID.problem(with: id) { return "The site id \(reason)." }
        if hostnames.isEmpty { return "Give the site at least one hostname." }
        return nil
    }

    /// One hostname per line (or separated by spaces or commas), blank entries dropped.
    static func lines(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0.isNewline || $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
    }

    /// Another site's home page, on the port this request came in on (a node serves every
    /// site on the same port); nil for a site without hostnames.
    func homeURL(of site: Site, _ context: PorticoRequestContext) -> String? {
        guard let host = site.hostnames.first else { return nil }
        let authority = context.origin.drop { $0 != "/" }.drop { $0 == "/" }
        var port = ""
        if let colon = authority.lastIndex(of: ":") {
            let digits = authority[authority.index(after: colon)...]
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) { port = ":" + digits }
        }
        return "http://\(host)\(port)/"
    }
}
