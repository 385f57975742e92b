import Foundation
import Hummingbird
import HTTPTypes
import Logging
import PorticoContent
import PorticoCore
import PorticoLifecycle
import PorticoStore

/// `/_edit/sites/<id>`: one site's page, with its hostnames, maintenance and deletion, for
/// platform administrators only (404 for anyone else). Export, backup and check are in
/// `EditorController+SiteLifecycle.swift`; bake and restore need paths on the server and stay on
/// the command line, which the page says how to use.
extension EditorController {
    /// What the site page shows besides the site itself.
    struct SiteAdminState {
        var hostnames: String?
        var hostnamesError: String?
        var error: String?
        var flash: String?
        var check: SiteCheckReport?
        var status: HTTPResponse.Status = .ok
    }

    /// The site named in the address (`:id`), or 404.
    func administeredSite(_ context: PorticoRequestContext) async throws -> Site {
        guard let raw = context.parameters.get("id"), let id = try? SiteID(raw), let site = try await services.store.site(id) else {
            throw PorticoError.notFound("site")
        }
        return site
    }

    /// The common start of every POST here: an administrator, the form's token, the site.
    func siteAdminSubmission(_ request: Request, _ context: PorticoRequestContext) async throws -> (current: Site, target: Site, form: FormData) {
        guard let (current, _) = try requireLogin(request, context) else { throw PorticoError.notFound("page") }
        try requirePlatformAdmin(context)
        let form = try await readForm(request)
        try verifyCSRF(request, form, context)
        return (current, try await administeredSite(context), form)
    }

    func siteAdmin(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (current, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        try requirePlatformAdmin(context)
        let target = try await administeredSite(context)
        let query = request.uri.queryParameters
        let flash = SiteAdminFeedback.message(query.get("done"), site: query.get("site"), count: query.get("n").flatMap { Int($0) })
        return try await siteAdminPage(current, target, context, state: SiteAdminState(flash: flash))
    }

    func siteAdminPage(_ current: Site, _ target: Site, _ context: PorticoRequestContext, state: SiteAdminState) async throws -> Response {
        var values = try await base(current, context, title: target.settings.name)
        let id = target.id.rawValue
        let actions = context.basePath + "/_edit/sites/\(id)"
        values["target"] = [
            "id": id, "name": target.settings.name, "active": target.status == .active, "created": Formatting.dayAndTime(target.created),
            "homeURL": homeURL(of: target, context) ?? "",
        ]
        values["isCurrent"] = target.id == current.id
        values["sitesURL"] = context.basePath + "/_edit/sites"
        values["hostnames"] = state.hostnames ?? target.hostnames.joined(separator: "\n")
        values["hostnamesError"] = state.hostnamesError
        for action in ["hostnames", "status", "delete", "export", "backup", "check"] { values["\(action)Action"] = "\(actions)/\(action)" }
        if let folder = services.backupFolder {
            values["backupFolder"] = folder.path
            let backups = operations.backups(of: target.id)
            values["backups"] = backups.prefix(5).map { ["name": $0.lastPathComponent] }
            values["hasBackups"] = !backups.isEmpty
            values["latestRestore"] = backups.first.map { "portico site restore \($0.path) --site \(id) --replace" }
        }
        values["restoreCommand"] = "portico site restore BACKUP --site \(id) --replace"
        values["bakeCommand"] = "portico site bake \(id) FOLDER"
        if let report = state.check {
            values["check"] = [
                "healthy": report.isHealthy,
                "summary": "\(report.items) items, \(report.revisions) revisions, \(report.blobs) files verified (\(Formatting.size(report.blobBytes)))",
                "problems": report.problems,
            ]
        }
        values["flash"] = state.flash
        values["error"] = state.error
        return views.page("site-admin", values, status: state.status)
    }

    /// Shows `error` on the site's page, logged, with the status it maps to.
    func siteAdminFailure(_ action: String, _ error: any Error, current: Site, target: Site, context: PorticoRequestContext) async throws -> Response {
        let failure = AdminFailure(error)
        SiteAdminFeedback.audit(failed: action, site: target.id.rawValue, failure: failure, error: error, context: context)
        return try await siteAdminPage(current, target, context, state: SiteAdminState(error: failure.message, status: failure.status))
    }

    /// The disable and delete buttons would lock the administrator out of this very page.
    func refuseOwnSite(_ action: String, current: Site, target: Site) -> AdminFailure? {
        guard current.id == target.id else { return nil }
        return AdminFailure(status: .conflict, message: "You are working on this site's own address, so you would lose this page: \(action) it from another site's "
            + "sites page, or run “portico site \(action == "delete" ? "delete \(target.id) --yes" : "disable \(target.id)")”.")
    }

    // MARK: Changes

    func saveSiteHostnames(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (current, target, form) = try await siteAdminSubmission(request, context)
        let typed = form["hostnames"] ?? ""
        let hostnames = Self.lines(typed)
        guard !hostnames.isEmpty else {
            let state = SiteAdminState(hostnames: typed, hostnamesError: "A site needs at least one hostname.", status: .unprocessableContent)
            return try await siteAdminPage(current, target, context, state: state)
        }
        do {
            let saved = try await services.administration.updateSite(target.id, by: context.principal) { $0.hostnames = hostnames }
            SiteAdminFeedback.audit("set hostnames", site: target.id, context: context, ["hostnames": "\(saved.hostnames.joined(separator: ","))"])
        } catch {
            let failure = AdminFailure(error)
            SiteAdminFeedback.audit(failed: "set hostnames", site: target.id.rawValue, failure: failure, error: error, context: context)
            let state = SiteAdminState(hostnames: typed, hostnamesError: failure.message, status: failure.status)
            return try await siteAdminPage(current, target, context, state: state)
        }
        return EditorViews.redirect(context.basePath + "/_edit/sites/\(target.id)?done=hostnames&site=\(target.id)")
    }

    /// Maintenance on or off: a disabled site answers everyone with its maintenance page.
    func setSiteStatus(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (current, target, form) = try await siteAdminSubmission(request, context)
        let status: SiteStatus
        switch form["enabled"] {
        case "on": status = .active
        case "off": status = .disabled
        default: throw PorticoError.badRequest("a site is either enabled (on) or disabled (off)")
        }
        if status == .disabled, let refusal = refuseOwnSite("disable", current: current, target: target) {
            return try await siteAdminFailure("disable", refusal, current: current, target: target, context: context)
        }
        do {
            try await services.administration.updateSite(target.id, by: context.principal) { $0.status = status }
        } catch {
            return try await siteAdminFailure(status == .active ? "enable" : "disable", error, current: current, target: target, context: context)
        }
        SiteAdminFeedback.audit(status == .active ? "enabled site" : "disabled site (maintenance)", site: target.id, context: context)
        let done = status == .active ? "enabled" : "disabled"
        return EditorViews.redirect(context.basePath + "/_edit/sites/\(target.id)?done=\(done)&site=\(target.id)")
    }

    func deleteSiteForm(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (current, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        try requirePlatformAdmin(context)
        let target = try await administeredSite(context)
        if let refusal = refuseOwnSite("delete", current: current, target: target) {
            return try await siteAdminPage(current, target, context, state: SiteAdminState(error: refusal.message, status: refusal.status))
        }
        var values = try await base(current, context, title: "Delete site")
        values["heading"] = "Delete the site “\(target.settings.name)”?"
        values["question"] = "It stops answering on its hostnames at once. Its folder is moved to the trash on the server, "
            + "where an operator can still recover it until “portico site purge \(target.id) --yes” removes it for good."
        values["items"] = [["id": target.id.rawValue, "title": target.settings.name, "path": target.hostnames.joined(separator: ", ")]]
        values["action"] = context.basePath + "/_edit/sites/\(target.id)/delete"
        values["confirmLabel"] = "Delete the site"
        values["cancelURL"] = context.basePath + "/_edit/sites/\(target.id)"
        return views.page("confirm", values)
    }

    /// Deletes only with the confirmation page's `confirm=1`; without it, shows that page.
    func deleteSite(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (current, target, form) = try await siteAdminSubmission(request, context)
        guard form["confirm"] == "1" else { return EditorViews.redirect(context.basePath + "/_edit/sites/\(target.id)/delete") }
        if let refusal = refuseOwnSite("delete", current: current, target: target) {
            return try await siteAdminFailure("delete", refusal, current: current, target: target, context: context)
        }
        do {
            try await services.administration.deleteSite(target.id, by: context.principal)
        } catch {
            return try await siteAdminFailure("delete", error, current: current, target: target, context: context)
        }
        SiteAdminFeedback.audit("deleted site (moved to the trash)", site: target.id, context: context)
        return EditorViews.redirect(context.basePath + "/_edit/sites?done=deleted&site=\(target.id)")
    }
}
