import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore
import PorticoStore

/// The editor UI under `/_edit/`: dashboard, folder contents, add and edit forms, workflow,
/// delete. Server-rendered forms that work without JavaScript.
///
/// Access: not logged in → redirect to the login page; may not even see the item → 404 (its
/// existence does not leak); sees it but may not do this → 403. Every decision is
/// `AccessPolicy.allows` with the user's roles at the item.
struct EditorController: Sendable {
    let services: PorticoServices
    let views: EditorViews
    let uploadLimit: Int

    var content: ContentService { services.content }
    var policy: AccessPolicy { services.content.policy }

    /// An item with what is needed to decide about it.
    struct Target {
        var item: Item
        var ancestors: [Item]
        var roles: Set<Role>
    }

    // MARK: Entry checks

    /// The logged-in user, or a redirect to the login page.
    func requireLogin(_ request: Request, _ context: PorticoRequestContext) throws -> (Site, User)? {
        let site = try context.requireSite()
        guard let user = context.user else { return nil }
        return (site, user)
    }

    func loginRedirect(_ request: Request, _ context: PorticoRequestContext) -> Response {
        let next = context.basePath + request.uri.path
        let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-._~"))) ?? "/"
        return EditorViews.redirect(context.basePath + "/_login?next=" + encoded)
    }

    /// The item at `path`, visible to the user, or 404.
    func target(_ path: String, site: Site, context: PorticoRequestContext) async throws -> Target {
        let store = try await services.store.content(of: site.id)
        guard let item = try await store.item(path: path) else { throw PorticoError.notFound("item") }
        let found = try await store.items(paths: item.ancestorPaths)
        let byPath = Dictionary(found.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let ancestors = item.ancestorPaths.compactMap { byPath[$0] }
        let roles = try await content.roles(of: context.principal, in: site.id, at: item, ancestors: ancestors)
        guard policy.allows(context.principal, .view, item: item, ancestors: ancestors, roles: roles, at: services.clock.now()) else {
            throw PorticoError.notFound("item")
        }
        return Target(item: item, ancestors: ancestors, roles: roles)
    }

    /// Values every editor page shares.
    func base(_ site: Site, _ context: PorticoRequestContext, title: String) async throws -> [String: Any] {
        var values = views.base(site: site, context: context, title: title)
        values["canManage"] = try await services.administration.mayManage(site.id, context.principal)
        return values
    }

    func require(_ action: Action, _ target: Target, context: PorticoRequestContext) throws {
        guard policy.allows(context.principal, action, item: target.item, ancestors: target.ancestors, roles: target.roles, at: services.clock.now()) else {
            throw PorticoError.forbidden("you may not do this here")
        }
    }

    /// The item path that follows `prefix` in the request path ("/_edit/edit/news/x" → "/news/x").
    static func itemPath(_ request: Request, after prefix: String) throws -> String {
        let raw = String(request.uri.path.dropFirst(prefix.count))
        return ContentPath.path(of: try ContentPath.segments(of: raw))
    }

    func url(_ context: PorticoRequestContext, _ action: String, _ path: String) -> String {
        context.basePath + "/_edit/\(action)" + (path == "/" ? "/" : path)
    }

    func verifyCSRF(_ request: Request, _ form: FormData, _ context: PorticoRequestContext) throws {
        guard let session = context.session else { throw PorticoError.forbidden("please log in again") }
        try CSRF.verify(request, form: form, expected: session.csrfToken, context: context)
    }

    /// The common start of every editor POST: logged in, the form read, its CSRF token checked,
    /// and the item the action is about found and visible (else 404).
    func submission(_ request: Request, _ context: PorticoRequestContext, after prefix: String) async throws -> (Site, String, FormData, Target) {
        guard let (site, _) = try requireLogin(request, context) else { throw PorticoError.forbidden("please log in") }
        let path = try Self.itemPath(request, after: prefix)
        let form = try await readForm(request)
        try verifyCSRF(request, form, context)
        return (site, path, form, try await target(path, site: site, context: context))
    }

    func readForm(_ request: Request) async throws -> FormData {
        try await FormData.read(request, limit: uploadLimit + 1024 * 1024)
    }

    // MARK: Dashboard

    func dashboard(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, user) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let grants = try await services.store.grants(user: user.id)
        let rolesHere = Set(grants.filter { $0.site == site.id }.map(\.role))
        guard user.isPlatformAdmin || !rolesHere.isEmpty else {
            throw PorticoError.forbidden("you have no role in this site")
        }
        var values = try await base(site, context, title: "Dashboard")
        values["flash"] = EditorViews.flash(request.uri.queryParameters.get("done"), count: nil)
        var siteIDs = Array(Set(grants.map(\.site))).sorted()
        if user.isPlatformAdmin { siteIDs = try await services.store.sites().map(\.id) }
        values["sites"] = siteIDs.compactMap { id -> [String: Any]? in
            guard let other = services.directory.site(id) else { return nil }
            let roles = Set(grants.filter { $0.site == id }.map(\.role)).sorted().map(\.displayName).joined(separator: ", ")
            let url = other.id == site.id ? context.basePath + "/_edit/" : "http://\(other.hostnames.first ?? "localhost")/_edit/"
            return ["name": other.settings.name, "url": url, "roles": user.isPlatformAdmin && roles.isEmpty ? "Administrator" : roles]
        }
        values["canAdd"] = true
        if user.isPlatformAdmin {
            let off = services.switchboard.flags.switchedOff
            values["isPlatformAdmin"] = true
            values["hasSwitchedOff"] = !off.isEmpty
            values["switchedOff"] = off.map(\.name).joined(separator: ", ")
        }

        let store = try await services.store.content(of: site.id)
        let now = services.clock.now()
        let all = try await store.items(matching: ItemQuery(order: .newestFirst, limit: 2000))
        let visible = try await visibleItems(all, site: site, store: store, context: context)
        func entry(_ item: Item) -> [String: Any] {
            ["title": item.title, "path": item.path, "editURL": url(context, "edit", item.path), "state": item.state.rawValue,
             "stateName": item.state.displayName, "modified": Formatting.dayAndTime(item.modified), "effective": Formatting.dayAndTime(item.effective)]
        }
        let pending = visible.filter { $0.item.state == .pending && policy.allows(context.principal, Action.publish, item: $0.item, ancestors: $0.ancestors, roles: $0.roles, at: now) }
        values["pending"] = pending.prefix(20).map { entry($0.item) }
        values["hasPending"] = !pending.isEmpty
        let recent = visible.filter { $0.item.creator == user.id }.sorted { $0.item.modified > $1.item.modified }
        values["recent"] = recent.prefix(10).map { entry($0.item) }
        values["hasRecent"] = !recent.isEmpty
        let scheduled = visible.filter { $0.item.state == .published && $0.item.effective > now }.sorted { $0.item.effective < $1.item.effective }
        values["scheduled"] = scheduled.prefix(20).map { entry($0.item) }
        values["hasScheduled"] = !scheduled.isEmpty
        return views.page("dashboard", values)
    }

    /// Filters items to those the principal may see, looking up grants once for all of them.
    func visibleItems(_ items: [Item], site: Site, store: any SiteContentStore, context: PorticoRequestContext) async throws -> [Target] {
        // Ancestors are always folders: one query for all of them.
        let folders = try await store.items(matching: ItemQuery(types: [.folder]))
        let byPath = Dictionary(folders.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var grantsByItem: [ItemID: Set<Role>] = [:]
        if let user = context.user, !user.isPlatformAdmin {
            for grant in try await services.store.grants(site: site.id) where grant.user == user.id {
                grantsByItem[grant.item, default: []].insert(grant.role)
            }
        }
        let now = services.clock.now()
        return items.compactMap { item in
            let ancestors = item.ancestorPaths.compactMap { byPath[$0] }
            var roles: Set<Role> = grantsByItem[item.id] ?? []
            for ancestor in ancestors { roles.formUnion(grantsByItem[ancestor.id] ?? []) }
            guard policy.allows(context.principal, .view, item: item, ancestors: ancestors, roles: roles, at: now) else { return nil }
            return Target(item: item, ancestors: ancestors, roles: roles)
        }
    }

    // MARK: Contents

    func contents(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let path = try Self.itemPath(request, after: "/_edit/contents")
        let folder = try await target(path, site: site, context: context)
        guard folder.item.type.isContainer else { return EditorViews.redirect(url(context, "edit", path)) }
        guard !folder.roles.isEmpty || context.principal.isAdministrator else { throw PorticoError.forbidden("you have no role here") }
        let store = try await services.store.content(of: site.id)
        let children = try await store.items(matching: ItemQuery(parentID: folder.item.id))
        let now = services.clock.now()
        var childGrants: [RoleGrant] = []
        if let user = context.user { childGrants = try await services.store.grants(site: site.id, user: user.id, on: children.map(\.id)) }
        let ancestorsOfChildren = folder.ancestors + [folder.item]
        let visible = children.filter { child in
            let roles = folder.roles.union(childGrants.filter { $0.item == child.id }.map(\.role))
            return policy.allows(context.principal, .view, item: child, ancestors: ancestorsOfChildren, roles: roles, at: now)
        }
        let authors = Dictionary(try await services.store.users().map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })

        var values = try await base(site, context, title: folder.item.isRoot ? "Contents" : folder.item.title)
        values["flash"] = EditorViews.flash(request.uri.queryParameters.get("done"), count: request.uri.queryParameters.get("n").flatMap { Int($0) })
        values["error"] = request.uri.queryParameters.get("skipped").flatMap { Int($0) }.map { "\($0) item(s) were skipped: you may not change them." }
        values["crumbs"] = folder.ancestors.map { ["title": $0.isRoot ? "Home" : $0.title, "url": url(context, "contents", $0.path)] }
        values["item"] = itemValues(folder.item, context: context)
        values["canEdit"] = policy.allows(context.principal, .edit, item: folder.item, ancestors: folder.ancestors, roles: folder.roles, at: now)
        values["canShare"] = policy.allows(context.principal, .manageSharing, item: folder.item, ancestors: folder.ancestors, roles: folder.roles, at: now)
        values["sharingURL"] = url(context, "sharing", path)
        let canAdd = policy.allows(context.principal, .addChild, item: folder.item, ancestors: folder.ancestors, roles: folder.roles, at: now)
        values["canAdd"] = canAdd
        values["addURL"] = url(context, "add", path)
        values["contentsURL"] = url(context, "contents", path)
        values["types"] = ItemType.allCases.filter(\.isAddedByEditors).map { ["value": $0.rawValue, "name": $0.displayName] }
        values["hasChildren"] = !visible.isEmpty
        // Folders the user may move or copy things into.
        let folders = try await store.items(matching: ItemQuery(types: [.folder], order: .path))
        let targets = try await visibleItems(folders, site: site, store: store, context: context)
        values["destinations"] = targets.filter { policy.allows(context.principal, .addChild, item: $0.item, ancestors: $0.ancestors, roles: $0.roles, at: now) }
            .map { ["path": $0.item.path, "label": $0.item.isRoot ? "Home (top of the site)" : $0.item.path] }
        values["children"] = visible.map { child -> [String: Any] in
            var entry = itemValues(child, context: context)
            entry["author"] = child.creator.flatMap { authors[$0] } ?? "—"
            entry["isFolder"] = child.type.isContainer
            entry["manageURL"] = child.type.isContainer ? url(context, "contents", child.path) : url(context, "edit", child.path)
            return entry
        }
        return views.page("contents", values)
    }

    /// Bulk actions and reordering on a folder's contents.
    func contentsAction(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, path, form, folder) = try await submission(request, context, after: "/_edit/contents")
        let back = url(context, "contents", path)
        if let up = form["up"] {
            try await content.reorder(in: site.id, id: ItemID(up), offset: -1, by: context.principal)
            return EditorViews.redirect(back + "?done=moved")
        }
        if let down = form["down"] {
            try await content.reorder(in: site.id, id: ItemID(down), offset: 1, by: context.principal)
            return EditorViews.redirect(back + "?done=moved")
        }
        let ids = form.all("ids").map(ItemID.init)
        let store = try await services.store.content(of: site.id)
        var chosen: [Item] = []
        for id in ids {
            if let item = try await store.item(id: id), item.parentID == folder.item.id { chosen.append(item) }
        }
        switch form["action"] {
        case "move", "copy":
            guard let destinationPath = form["destination"], let destination = try await store.item(path: destinationPath) else {
                throw PorticoError.badRequest("choose a destination folder")
            }
            var done = 0
            for item in chosen {
                do {
                    if form["action"] == "move" {
                        try await content.move(in: site.id, id: item.id, into: destination.id, by: context.principal)
                    } else {
                        try await content.copy(in: site.id, id: item.id, into: destination.id, by: context.principal)
                    }
                    done += 1
                } catch is PorticoError {}
            }
            let skipped = chosen.count - done
            let code = form["action"] == "move" ? "movedto" : "copied"
            return EditorViews.redirect(url(context, "contents", destination.path) + "?done=\(code)&n=\(done)" + (skipped > 0 ? "&skipped=\(skipped)" : ""))
        case "publish":
            var done = 0
            for item in chosen {
                do {
                    try await content.transition(in: site.id, id: item.id, .publish, by: context.principal)
                    done += 1
                } catch is PorticoError {}
            }
            let skipped = chosen.count - done
            return EditorViews.redirect(back + "?done=published&n=\(done)" + (skipped > 0 ? "&skipped=\(skipped)" : ""))
        case "delete":
            guard form["confirm"] == "1" else {
                var values = try await base(site, context, title: "Delete")
                values["heading"] = chosen.count == 1 ? "Delete “\(chosen[0].title)”?" : "Delete \(chosen.count) items?"
                values["question"] = "This cannot be undone from the editor."
                var entries: [[String: Any]] = []
                for item in chosen {
                    let count = try await store.count(matching: ItemQuery(below: item.path))
                    entries.append(["id": item.id.rawValue, "title": item.title, "path": item.path, "descendants": count > 0 ? String(count) : ""])
                }
                values["items"] = entries
                values["action"] = back
                values["confirmLabel"] = "Delete"
                values["cancelURL"] = back
                return views.page("confirm", values)
            }
            var done = 0
            for item in chosen {
                do {
                    try await content.delete(in: site.id, id: item.id, by: context.principal)
                    done += 1
                } catch is PorticoError {}
            }
            let skipped = chosen.count - done
            return EditorViews.redirect(back + "?done=deleted&n=\(done)" + (skipped > 0 ? "&skipped=\(skipped)" : ""))
        default:
            return EditorViews.redirect(back)
        }
    }

    // MARK: Add and edit

    func addForm(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let path = try Self.itemPath(request, after: "/_edit/add")
        let parent = try await target(path, site: site, context: context)
        try require(.addChild, parent, context: context)
        guard let type = request.uri.queryParameters.get("type").flatMap({ ItemType(rawValue: String($0)) }), type.isAddedByEditors else {
            throw PorticoError.badRequest("unknown content type")
        }
        var draftValues: [String: Any] = ["effective": "", "membersOnly": false]
        if type == .event {
            let start = Date(timeIntervalSince1970: (services.clock.now().timeIntervalSince1970 / 3600).rounded(.up) * 3600 + 86_400)
            draftValues["start"] = Formatting.dateTimeLocal(start)
            draftValues["end"] = Formatting.dateTimeLocal(start.addingTimeInterval(3600))
        }
        return try await formPage(site: site, context: context, type: type, parent: parent, existing: nil, values: draftValues, errors: [])
    }

    func add(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, _, form, parent) = try await submission(request, context, after: "/_edit/add")
        try require(.addChild, parent, context: context)
        guard let type = form["type"].flatMap(ItemType.init(rawValue:)), type.isAddedByEditors else { throw PorticoError.badRequest("unknown content type") }
        var (draft, errors) = try await parseDraft(form, type: type, site: site, existing: nil)
        if form["preview"] == "1" || !errors.isEmpty {
            return try await formPage(site: site, context: context, type: type, parent: parent, existing: nil, values: formValues(form), errors: errors, preview: form["preview"] == "1" ? form["body"] : nil, status: errors.isEmpty ? .ok : .unprocessableContent)
        }
        if draft.slug?.isEmpty == true { draft.slug = nil }
        do {
            let item = try await content.create(in: site.id, under: parent.item.id, draft, by: context.principal)
            return EditorViews.redirect(url(context, "edit", item.path) + "?done=created")
        } catch PorticoError.validation(let problems) {
            errors += problems
            return try await formPage(site: site, context: context, type: type, parent: parent, existing: nil, values: formValues(form), errors: errors, status: .unprocessableContent)
        }
    }

    func editForm(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let path = try Self.itemPath(request, after: "/_edit/edit")
        let target = try await target(path, site: site, context: context)
        try require(.edit, target, context: context)
        let item = target.item
        let values: [String: Any] = [
            "title": item.title, "slug": item.slug, "description": item.description, "body": item.body,
            "tags": item.tags.joined(separator: ", "), "effective": Formatting.dateTimeLocal(item.effective),
            "expires": item.expires.map(Formatting.dateTimeLocal) ?? "", "membersOnly": item.membersOnly,
            "start": item.event.map { Formatting.dateTimeLocal($0.start) } ?? "", "end": item.event.map { Formatting.dateTimeLocal($0.end) } ?? "",
            "location": item.event?.location ?? "", "linkTarget": item.linkTarget ?? "", "version": String(item.version),
        ]
        let flash = EditorViews.flash(request.uri.queryParameters.get("done"), count: nil)
        return try await formPage(site: site, context: context, type: item.type, parent: nil, existing: target, values: values, errors: [], flash: flash)
    }

    func edit(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, _, form, target) = try await submission(request, context, after: "/_edit/edit")
        try require(.edit, target, context: context)
        let (draft, errors) = try await parseDraft(form, type: target.item.type, site: site, existing: target.item)
        var values = formValues(form)
        if form["preview"] == "1" || !errors.isEmpty {
            return try await formPage(site: site, context: context, type: target.item.type, parent: nil, existing: target, values: values, errors: errors, preview: form["preview"] == "1" ? form["body"] : nil, status: errors.isEmpty ? .ok : .unprocessableContent)
        }
        guard let version = form["version"].flatMap({ Int($0) }) else { throw PorticoError.badRequest("missing version") }
        do {
            let saved = try await content.update(in: site.id, id: target.item.id, draft, expectedVersion: version, by: context.principal, comment: "Edited")
            return EditorViews.redirect(url(context, "edit", saved.path) + "?done=saved")
        } catch PorticoError.validation(let problems) {
            return try await formPage(site: site, context: context, type: target.item.type, parent: nil, existing: target, values: values, errors: problems, status: .unprocessableContent)
        } catch PorticoError.conflict(let message) {
            // Keep what the editor typed; the next save starts from the current version.
            values["version"] = String(target.item.version)
            return try await formPage(site: site, context: context, type: target.item.type, parent: nil, existing: target, values: values, errors: [], conflict: message, status: .conflict)
        }
    }

    // MARK: Workflow and delete

    func transition(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, path, form, target) = try await submission(request, context, after: "/_edit/transition")
        guard let transition = form["transition"].flatMap(Transition.init(rawValue:)) else { throw PorticoError.badRequest("unknown transition") }
        try await content.transition(in: site.id, id: target.item.id, transition, by: context.principal, comment: form["comment"] ?? "")
        let stillEditable = try? await self.target(path, site: site, context: context)
        let canEdit = stillEditable.map { policy.allows(context.principal, .edit, item: $0.item, ancestors: $0.ancestors, roles: $0.roles, at: services.clock.now()) } ?? false
        let parentPath = target.item.ancestorPaths.last ?? "/"
        return EditorViews.redirect((canEdit ? url(context, "edit", path) : url(context, "contents", parentPath)) + "?done=\(transition.rawValue)")
    }

    func deleteForm(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        guard let (site, _) = try requireLogin(request, context) else { return loginRedirect(request, context) }
        let path = try Self.itemPath(request, after: "/_edit/delete")
        let target = try await target(path, site: site, context: context)
        try require(.delete, target, context: context)
        let store = try await services.store.content(of: site.id)
        let descendants = try await store.count(matching: ItemQuery(below: target.item.path))
        var values = try await base(site, context, title: "Delete")
        values["heading"] = "Delete “\(target.item.title)”?"
        values["question"] = "This cannot be undone from the editor."
        values["items"] = [["id": target.item.id.rawValue, "title": target.item.title, "path": target.item.path, "descendants": descendants > 0 ? String(descendants) : ""]]
        values["action"] = url(context, "delete", path)
        values["confirmLabel"] = "Delete"
        values["cancelURL"] = url(context, "edit", path)
        return views.page("confirm", values)
    }

    func delete(_ request: Request, context: PorticoRequestContext) async throws -> Response {
        let (site, _, _, target) = try await submission(request, context, after: "/_edit/delete")
        try await content.delete(in: site.id, id: target.item.id, by: context.principal)
        return EditorViews.redirect(url(context, "contents", target.item.ancestorPaths.last ?? "/") + "?done=deleted&n=1")
    }
}
