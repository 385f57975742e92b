import Foundation
import Hummingbird
import HTTPTypes
import Logging
import PorticoCore
import PorticoLifecycle

/// The buttons on a site's admin page that run the lifecycle tools: *Download export*,
/// *Back up now* and *Check*. Each is a POST with the CSRF token, for platform administrators
/// only; a failure comes back on the site's page (`siteAdminFailure`), never as a 500.
extension EditorController {
    /// The site's archive as a download, made in a scratch folder that is gone once sent.
    func exportSite(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (current, target, _) = try await siteAdminSubmission(request, context)
        do {
            let (archive, filename, scratch) = try await operations.export(target.id, at: services.clock.now())
            let size = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? NSNumber)?.int64Value ?? 0
            let response = try FileDownload.attachment(archive, filename: filename, contentType: "application/zip", scratch: scratch)
            SiteAdminFeedback.audit("exported site", site: target.id, context: context, ["bytes": "\(size)"])
            return response
        } catch {
            return try await siteAdminFailure("export", error, current: current, target: target, context: context)
        }
    }

    func backupSite(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (current, target, _) = try await siteAdminSubmission(request, context)
        do {
            let (folder, manifest) = try await operations.backup(target.id)
            SiteAdminFeedback.audit("backed up site", site: target.id, context: context, [
                "backup": "\(folder.path)", "blobs": "\(manifest.blobCount)", "blob_bytes": "\(manifest.blobBytes)",
            ])
        } catch {
            return try await siteAdminFailure("backup", error, current: current, target: target, context: context)
        }
        return EditorViews.redirect(context.basePath + "/_edit/sites/\(target.id)?done=backup&site=\(target.id)")
    }

    /// Runs `portico site check` and shows its report (a read, but a long one: POST, so that no
    /// link or prefetch can start it).
    func checkSite(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (current, target, _) = try await siteAdminSubmission(request, context)
        let report: SiteCheckReport
        do {
            report = try await operations.check(target.id)
        } catch {
            return try await siteAdminFailure("check", error, current: current, target: target, context: context)
        }
        SiteAdminFeedback.audit("checked site", site: target.id, context: context, ["problems": "\(report.problems.count)"])
        return try await siteAdminPage(current, target, context, state: SiteAdminState(check: report))
    }
}
