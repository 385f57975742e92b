import Hummingbird
import HTTPTypes
import Logging
import PorticoCore

/// Fixed feedback for the sites pages, chosen by codes in the query string after a redirect
/// (`?done=created&site=news`). The site id is shown only once it parses as a site id, so no
/// free text from a URL ever reaches the page.
enum SiteAdminFeedback {
    static func message(_ code: String?, site rawSite: String?, count: Int?) -> String? {
        guard let code, let site = rawSite.flatMap({ try? SiteID($0) }) else { return nil }
        switch code {
        case "created": return "Site “\(site)” created."
        case "copied": return "Site “\(site)” created as a copy."
        case "imported":
            guard let count, count > 0 else { return "Site “\(site)” imported." }
            return "Site “\(site)” imported. \(count == 1 ? "1 role was" : "\(count) roles were") left out: "
                + "the users have no account here, or the items were deleted before the export."
        case "deleted": return "Site “\(site)” deleted. Its files are in the trash; “portico site purge \(site) --yes” removes them for good."
        case "hostnames": return "Hostnames saved."
        case "disabled": return "“\(site)” is in maintenance: everyone gets the maintenance page."
        case "enabled": return "“\(site)” is open again."
        case "backup": return "Backup written and verified (the newest in the list below)."
        default: return nil
        }
    }

    /// One line in the server log for every platform-admin action: who did what to which site.
    static func audit(_ action: String, site: SiteID, context: PorticoRequestContext, _ metadata: Logger.Metadata = [:]) {
        var metadata = metadata
        metadata["site"] = "\(site)"
        metadata["by"] = "\(context.user?.username ?? "unknown")"
        context.logger.notice("site admin: \(action)", metadata: metadata)
    }

    /// The same for an action that failed; server-side failures are errors, refusals notices.
    static func audit(failed action: String, site: String, failure: AdminFailure, error: any Error, context: PorticoRequestContext) {
        let metadata: Logger.Metadata = ["site": "\(site)", "by": "\(context.user?.username ?? "unknown")", "status": "\(failure.status.code)", "error": "\(error)"]
        context.logger.log(level: failure.isServerSide ? .error : .notice, "site admin: \(action) failed", metadata: metadata)
    }
}
