import Foundation
import Hummingbird
import HTTPTypes
import Logging
import PorticoCore
import PorticoLifecycle

/// *Import an archive* on the sites page (`POST /_edit/sites/import`).
extension EditorController {
    /// Creates a site from an uploaded archive. The body is streamed to a scratch folder (it may
    /// be far larger than an editor's upload) and the scratch folder goes when the request ends.
    func importSite(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (current, _) = try requireLogin(request, context) else { throw PorticoError.notFound("page") }
        try requirePlatformAdmin(context)
        // Refuse other origins before accepting hundreds of megabytes; the token is in the body.
        try CSRF.verifyOrigin(request, context: context)
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        var forms = SitesForms()
        let form: SpooledForm
        do {
            form = try await MultipartSpool.read(request, limit: operations.archiveUploadLimit, into: scratch.url)
        } catch {
            let failure = AdminFailure(error)
            SiteAdminFeedback.audit(failed: "import", site: "-", failure: failure, error: error, context: context)
            forms.uploadError = failure.message
            return try await sitesPage(current, context, forms: forms, status: failure.status)
        }
        try verifyCSRF(request, form.formData, context)
        for name in ["id", "hostnames"] { forms.upload[name] = form[name] ?? "" }
        let id = (form["id"] ?? "").trimmingCharacters(in: .whitespaces)
        let hostnames = Self.lines(form["hostnames"])
        let problem = Self.newSiteProblem(id: id, hostnames: hostnames) ?? (form.files["archive"] == nil ? "Choose the archive file (.zip) to import." : nil)
        guard problem == nil, let file = form.files["archive"] else {
            forms.uploadError = problem
            return try await sitesPage(current, context, forms: forms, status: .unprocessableContent)
        }
        do {
            let siteID = try SiteID(id)
            let report = try await operations.importArchive(file.url, as: siteID, hostnames: hostnames)
            SiteAdminFeedback.audit("imported site", site: siteID, context: context, [
                "from": "\(report.sourceSiteID)", "archive": "\(file.filename)", "bytes": "\(file.size)", "items": "\(report.counts.items)",
                "skipped_roles": "\(report.skippedGrants.count)",
            ])
            return EditorViews.redirect(context.basePath + "/_edit/sites/\(siteID)?done=imported&site=\(siteID)&n=\(report.skippedGrants.count)")
        } catch {
            let failure = AdminFailure(error)
            SiteAdminFeedback.audit(failed: "import", site: id, failure: failure, error: error, context: context)
            forms.uploadError = failure.message
            return try await sitesPage(current, context, forms: forms, status: failure.status)
        }
    }
}
