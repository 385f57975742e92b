import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore
import PorticoStore

/// Site settings and the site's users. Managers of the site (and platform administrators).
extension EditorController {
    func requireManager(_ site: Site, _ context: PorticoRequestContext) async throws {
        guard try await services.administration.mayManage(site.id, context.principal) else {
            throw PorticoError.forbidden("only the site's managers may do this")
        }
    }

    func settings(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        try await requireManager(site, context)
        let values: [String: Any] = [
            "name": site.settings.name, "tagline": site.settings.tagline, "accentColor": site.settings.accentColor,
            "footerText": site.settings.footerText, "hostnames": site.hostnames.joined(separator: "\n"),
        ]
        return try await settingsPage(site: site, context: context, values: values, errors: [], flash: EditorViews.flash(request.uri.queryParameters.get("done"), count: nil))
    }

    func settingsPage(site: Site, context: PorticoRequestContext, values: [String: Any], errors: [String], flash: String? = nil) async throws -> Response {
        var page = try await base(site, context, title: "Site settings")
        page["flash"] = flash
        page["v"] = values
        page["errors"] = errors
        page["hasErrors"] = !errors.isEmpty
        page["action"] = context.basePath + "/_edit/settings"
        page["uploadsOff"] = services.switchboard.isOn(.uploads) ? nil : FeatureFlag.uploads.notice
        if let logo = site.settings.logo { page["logoURL"] = context.basePath + "/_blob/\(logo.sha256)/\(Formatting.pathSegment(logo.filename))" }
        return views.page("settings", page, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func saveSettings(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { throw PorticoError.forbidden("please log in") }
        let form = try await readForm(request)
        try verifyCSRF(request, form, context)
        try await requireManager(site, context)
        var typed: [String: Any] = [:]
        for name in ["name", "tagline", "accentColor", "footerText", "hostnames"] { typed[name] = form[name] ?? "" }
        var logo = site.settings.logo
        if let file = form.files["logo"], !file.data.isEmpty {
            guard services.switchboard.isOn(.uploads) else {
                return try await settingsPage(site: site, context: context, values: typed, errors: ["\(FeatureFlag.uploads.notice) The logo was not saved."])
            }
            let stored = try? await content.storeBlob(in: site.id, data: file.data, filename: file.filename)
            guard let (blob, _) = stored, MediaSniffer.imageTypes.contains(blob.mimeType) else {
                return try await settingsPage(site: site, context: context, values: typed, errors: ["The logo must be a PNG, JPEG, GIF or WebP image."])
            }
            logo = blob
        }
        let hostnames = (form["hostnames"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !hostnames.isEmpty else {
            return try await settingsPage(site: site, context: context, values: typed, errors: ["The site needs at least one hostname."])
        }
        do {
            try await services.administration.updateSite(site.id, by: context.principal) { site in
                site.settings.name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                site.settings.tagline = (form["tagline"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                site.settings.accentColor = (form["accentColor"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                site.settings.footerText = (form["footerText"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
                site.settings.logo = logo
                site.hostnames = hostnames
            }
        } catch PorticoError.validation(let problems) {
            return try await settingsPage(site: site, context: context, values: typed, errors: problems.map(\.message))
        } catch let error as PorticoError {
            switch error {
            case .invalid, .alreadyExists:
                return try await settingsPage(site: site, context: context, values: typed, errors: [error.description.prefix(1).uppercased() + error.description.dropFirst() + "."])
            default:
                throw error
            }
        }
        return EditorViews.redirect(context.basePath + "/_edit/settings?done=saved")
    }

    func users(_ request: Request, context: PorticoRequestContext, created: (String, String)? = nil) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        try await requireManager(site, context)
        let all = Dictionary(try await services.store.users().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var roles: [UserID: Set<Role>] = [:]
        for grant in try await services.store.grants(site: site.id) { roles[grant.user, default: []].insert(grant.role) }
        var values = try await base(site, context, title: "Users")
        values["people"] = roles.compactMap { id, set -> [String: Any]? in
            guard let user = all[id] else { return nil }
            return ["name": user.displayName, "username": user.username, "roles": set.sorted().map(\.displayName).joined(separator: ", ")]
        }.sorted { ($0["username"] as! String) < ($1["username"] as! String) }
        values["hasPeople"] = !roles.isEmpty
        values["sharingURL"] = url(context, "sharing", "/")
        values["canCreate"] = context.principal.isAdministrator
        values["action"] = context.basePath + "/_edit/users"
        if let created {
            values["newUser"] = created.0
            values["newPassword"] = created.1
        }
        return views.page("users", values)
    }

    /// Platform administrators create accounts here; the password is shown once.
    func createUser(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard try requireLogin(request, context) != nil else { throw PorticoError.forbidden("please log in") }
        let form = try await readForm(request)
        try verifyCSRF(request, form, context)
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let display = (form["displayName"] ?? "").trimmingCharacters(in: .whitespaces)
        let (user, password) = try await services.administration.createUser(username: username, displayName: display.isEmpty ? nil : display, isPlatformAdmin: false, by: context.principal)
        return try await users(request, context: context, created: (user.username, password ?? ""))
    }
}
