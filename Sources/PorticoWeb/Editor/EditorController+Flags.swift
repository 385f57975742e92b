import Foundation
import Hummingbird
import HTTPTypes
import PorticoCore

/// `/_edit/flags`: the feature switches, for platform administrators only. To anyone else the
/// page does not exist (404), like every other private thing.
extension EditorController {
    func requirePlatformAdmin(_ context: PorticoRequestContext) throws {
        guard context.user?.isPlatformAdmin == true else { throw PorticoError.notFound("page") }
    }

    func flags(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        try requirePlatformAdmin(context)
        let current = services.switchboard.flags
        var values = try await base(site, context, title: "Feature switches")
        values["action"] = context.basePath + "/_edit/flags"
        values["flags"] = FeatureFlag.allCases.map { flag -> [String: Any] in
            var entry: [String: Any] = ["name": flag.name, "description": flag.description, "on": current.isOn(flag)]
            if let change = current.changes[flag] {
                entry["changedAt"] = Formatting.dayAndTime(change.at)
                entry["changedBy"] = change.by
            }
            return entry
        }
        // Fixed feedback: the flag name is checked against the known flags, never echoed raw.
        if let done = request.uri.queryParameters.get("done"), let flag = request.uri.queryParameters.get("flag").flatMap({ FeatureFlag(name: String($0)) }) {
            switch done {
            case "on": values["flash"] = "“\(flag.name)” is on."
            case "off": values["flash"] = "“\(flag.name)” is off. Every Portico process follows within about a second."
            default: break
            }
        }
        return views.page("flags", values)
    }

    func setFlag(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (_, user) = try requireLogin(request, context) else { throw PorticoError.notFound("page") }
        try requirePlatformAdmin(context)
        let form = try await readForm(request)
        try verifyCSRF(request, form, context)
        guard let flag = form["flag"].flatMap(FeatureFlag.init(name:)) else {
            throw PorticoError.badRequest("unknown feature switch; known: \(FeatureFlag.names)")
        }
        let enabled: Bool
        switch form["enabled"] {
        case "on": enabled = true
        case "off": enabled = false
        default: throw PorticoError.badRequest("a feature switch is either on or off")
        }
        try await services.switchboard.set(flag, enabled: enabled, by: context.principal, actor: user.username)
        return EditorViews.redirect(context.basePath + "/_edit/flags?done=\(enabled ? "on" : "off")&flag=\(flag.name)")
    }
}
