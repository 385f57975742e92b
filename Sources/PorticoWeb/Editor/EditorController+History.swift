import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore
import PorticoStore

/// History (revisions, a readable diff between any two, revert) and sharing (local roles).
extension EditorController {
    func history(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let path = try Self.itemPath(request, after: "/_edit/history")
        let target = try await target(path, site: site, context: context)
        try require(.viewHistory, target, context: context)
        let store = try await services.store.content(of: site.id)
        let revisions = try await store.revisions(of: target.item.id)
        let names = Dictionary(try await services.store.users().map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        let current = target.item.version
        let query = request.uri.queryParameters
        let b = query.get("b").flatMap { Int($0) } ?? current
        let a = query.get("a").flatMap { Int($0) } ?? max(1, b - 1)
        let canRevert = policy.allows(context.principal, .edit, item: target.item, ancestors: target.ancestors, roles: target.roles, at: services.clock.now())

        var values = try await base(site, context, title: "History")
        values["flash"] = EditorViews.flash(query.get("done"), count: nil)
        values["crumbs"] = (target.ancestors + [target.item]).map { ["title": $0.isRoot ? "Home" : $0.title, "url": url(context, $0.type.isContainer ? "contents" : "edit", $0.path)] }
        values["item"] = itemValues(target.item, context: context)
        values["historyURL"] = url(context, "history", path)
        values["revisions"] = revisions.reversed().map { revision -> [String: Any] in
            [
                "version": String(revision.version), "date": Formatting.dayAndTime(revision.date),
                "author": revision.author.flatMap { names[$0] } ?? "Portico", "comment": revision.comment,
                "isA": revision.version == a, "isB": revision.version == b, "isCurrent": revision.version == current,
                "canRevert": canRevert && revision.version != current, "revertURL": url(context, "revert", path),
                "currentVersion": String(current), "csrf": context.session?.csrfToken ?? "",
            ]
        }
        if let old = revisions.first(where: { $0.version == a })?.snapshot, let new = revisions.first(where: { $0.version == b })?.snapshot, a != b {
            values["hasDiff"] = true
            values["a"] = String(a)
            values["b"] = String(b)
            let fields = Self.fieldChanges(old, new)
            values["fieldChanges"] = fields
            let lines = TextDiff.lines(old.body, new.body)
            let bodyChanged = lines.contains { if case .same = $0 { return false } else { return true } }
            values["hasBodyDiff"] = bodyChanged
            values["bodyLines"] = lines.map { line -> [String: Any] in
                switch line {
                case .same(let text): return ["kind": "same", "sign": " ", "text": text]
                case .added(let text): return ["kind": "added", "sign": "+", "text": text]
                case .removed(let text): return ["kind": "removed", "sign": "−", "text": text]
                }
            }
            values["changed"] = bodyChanged || !fields.isEmpty
        }
        return views.page("history", values)
    }

    /// The fields (other than the body) that differ between two versions, as readable text.
    static func fieldChanges(_ old: Item, _ new: Item) -> [[String: Any]] {
        func date(_ value: Date?) -> String { value.map { Formatting.dayAndTime($0) + " UTC" } ?? "none" }
        let pairs: [(String, String, String)] = [
            ("Title", old.title, new.title),
            ("Short name", old.slug, new.slug),
            ("Summary", old.description, new.description),
            ("State", old.state.displayName, new.state.displayName),
            ("Tags", old.tags.joined(separator: ", "), new.tags.joined(separator: ", ")),
            ("Publishing date", date(old.effective), date(new.effective)),
            ("Expiry date", date(old.expires), date(new.expires)),
            ("Members only", old.membersOnly ? "yes" : "no", new.membersOnly ? "yes" : "no"),
            ("Event", old.event.map { "\(date($0.start)) – \(date($0.end)), \($0.location)" } ?? "", new.event.map { "\(date($0.start)) – \(date($0.end)), \($0.location)" } ?? ""),
            ("Link", old.linkTarget ?? "", new.linkTarget ?? ""),
            ("File", old.blob.map { "\($0.filename) (\(Formatting.size($0.size)))" } ?? "", new.blob.map { "\($0.filename) (\(Formatting.size($0.size)))" } ?? ""),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { ["field": $0.0, "old": $0.1.isEmpty ? "(empty)" : $0.1, "new": $0.2.isEmpty ? "(empty)" : $0.2] }
    }

    func revert(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, path, form, target) = try await submission(request, context, after: "/_edit/revert")
        guard let version = form["version"].flatMap({ Int($0) }), let expected = form["expected"].flatMap({ Int($0) }) else {
            throw PorticoError.badRequest("missing version")
        }
        try await content.revert(in: site.id, id: target.item.id, to: version, expectedVersion: expected, by: context.principal)
        return EditorViews.redirect(url(context, "history", path) + "?done=reverted")
    }

    // MARK: Sharing

    func sharing(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let path = try Self.itemPath(request, after: "/_edit/sharing")
        let target = try await target(path, site: site, context: context)
        try require(.manageSharing, target, context: context)
        return try await sharingPage(site: site, target: target, path: path, context: context, flash: EditorViews.flash(request.uri.queryParameters.get("done"), count: nil))
    }

    func sharingPage(site: Site, target: Target, path: String, context: PorticoRequestContext, flash: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let users = Dictionary(try await services.store.users().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let chain = target.ancestors + [target.item]
        let paths = Dictionary(chain.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let grants = try await services.store.grants(site: site.id).filter { paths[$0.item] != nil }
        var values = try await base(site, context, title: "Sharing")
        values["flash"] = flash
        values["error"] = error
        values["crumbs"] = chain.dropLast().map { ["title": $0.isRoot ? "Home" : $0.title, "url": url(context, "contents", $0.path)] }
        var item = itemValues(target.item, context: context)
        item["isRoot"] = target.item.isRoot
        values["item"] = item
        values["action"] = url(context, "sharing", path)
        values["grants"] = grants.sorted { ($0.item == target.item.id ? 1 : 0, users[$0.user]?.username ?? "") < ($1.item == target.item.id ? 1 : 0, users[$1.user]?.username ?? "") }.map { grant -> [String: Any] in
            let holder = paths[grant.item]!
            return [
                "user": users[grant.user]?.displayName ?? grant.user.rawValue, "username": users[grant.user]?.username ?? "",
                "role": grant.role.displayName, "roleValue": grant.role.rawValue, "inherited": grant.item != target.item.id,
                "where": holder.isRoot ? "the whole site" : holder.title, "sharingURL": url(context, "sharing", holder.path),
                "action": url(context, "sharing", path), "csrf": context.session?.csrfToken ?? "",
            ]
        }
        values["hasGrants"] = !grants.isEmpty
        values["roles"] = Role.allCases.map { ["value": $0.rawValue, "name": $0.displayName] }
        return views.page("sharing", values, status: status)
    }

    func share(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, path, form, target) = try await submission(request, context, after: "/_edit/sharing")
        try require(.manageSharing, target, context: context)
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard let role = form["role"].flatMap(Role.init(rawValue:)) else { throw PorticoError.badRequest("unknown role") }
        guard let user = try await services.store.user(username: username) else {
            return try await sharingPage(site: site, target: target, path: path, context: context, error: "There is no user “\(username)”.", status: .unprocessableContent)
        }
        if form["remove"] == "1" {
            try await content.revoke(role, from: user.id, on: target.item.id, in: site.id, by: context.principal)
            return EditorViews.redirect(url(context, "sharing", path) + "?done=unshared")
        }
        try await content.grant(role, to: user.id, on: target.item.id, in: site.id, by: context.principal)
        return EditorViews.redirect(url(context, "sharing", path) + "?done=shared")
    }
}
