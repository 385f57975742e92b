import Foundation
import Hummingbird
import HTTPTypes
import PorticoContent
import PorticoCore

extension EditorController {
    /// Values describing an item in editor pages.
    func itemValues(_ item: Item, context: PorticoRequestContext) -> [String: Any] {
        [
            "id": item.id.rawValue, "title": item.title, "path": item.path, "type": item.type.rawValue, "typeName": item.type.displayName,
            "state": item.state.rawValue, "stateName": item.state.displayName, "modified": Formatting.dayAndTime(item.modified),
            "editURL": url(context, "edit", item.path), "viewURL": context.basePath + item.path,
            "historyURL": url(context, "history", item.path), "deleteURL": url(context, "delete", item.path),
        ]
    }

    /// What the editor typed, to show again after an error.
    func formValues(_ form: FormData) -> [String: Any] {
        var values: [String: Any] = [:]
        for name in ["title", "slug", "description", "body", "tags", "effective", "expires", "start", "end", "location", "linkTarget", "version"] {
            values[name] = form[name] ?? ""
        }
        values["membersOnly"] = form["membersOnly"] == "1"
        return values
    }

    /// Turns the submitted form into a draft, collecting every problem as a field error.
    func parseDraft(_ form: FormData, type: ItemType, site: Site, existing: Item?) async throws -> (ItemDraft, [FieldError]) {
        var errors: [FieldError] = []
        func date(_ name: String, label: String) -> Date? {
            guard let text = form[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Formatting.parseDateTimeLocal(text) else {
                errors.append(FieldError(field: name, message: "The \(label) must be a date and time like 2026-11-23 14:30."))
                return nil
            }
            return value
        }
        var draft = ItemDraft(type: type, title: form["title"] ?? "")
        let slug = (form["slug"] ?? "").trimmingCharacters(in: .whitespaces)
        draft.slug = slug.isEmpty ? (existing.map(\.slug)) : slug
        if existing == nil && slug.isEmpty { draft.slug = nil }
        draft.description = form["description"] ?? ""
        draft.body = (form["body"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        draft.tags = (form["tags"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        draft.effective = date("effective", label: "publishing date") ?? existing?.effective
        draft.expires = date("expires", label: "expiry date")
        draft.membersOnly = form["membersOnly"] == "1"
        if type == .event {
            let start = date("start", label: "start")
            let end = date("end", label: "end")
            if let start, let end {
                draft.event = EventDetails(start: start, end: end, location: (form["location"] ?? "").trimmingCharacters(in: .whitespaces))
            }
        }
        if type == .link { draft.linkTarget = form["linkTarget"] }
        if type == .message { draft.message = existing?.message }
        if type.hasBlob {
            draft.blob = existing?.blob
            draft.imageSize = existing?.imageSize
            if let file = form.files["file"], !file.data.isEmpty {
                if !services.switchboard.isOn(.uploads) {
                    // Switched off: the file is not stored; the rest of the form comes back as typed.
                    errors.append(FieldError(field: "file", message: "\(FeatureFlag.uploads.notice) The file was not saved."))
                } else if file.data.count > uploadLimit {
                    errors.append(FieldError(field: "file", message: "The file is larger than \(Formatting.size(Int64(uploadLimit)))."))
                } else {
                    do {
                        let (blob, size) = try await content.storeBlob(in: site.id, data: file.data, filename: file.filename)
                        if type == .image && !MediaSniffer.imageTypes.contains(blob.mimeType) {
                            errors.append(FieldError(field: "file", message: "The file is not a PNG, JPEG, GIF or WebP image."))
                        } else {
                            draft.blob = blob
                            draft.imageSize = size
                        }
                    } catch PorticoError.invalid {
                        errors.append(FieldError(field: "file", message: "This kind of file cannot be uploaded (accepted: images, PDF, ZIP, plain text)."))
                    }
                }
            }
        }
        // Report the draft's own problems now, with the parsing problems, all at once.
        let known = Set(errors.map(\.field))
        errors += draft.problems(atRoot: false).filter { !known.contains($0.field) && !($0.field == "slug" && draft.slug == nil) }
        if existing?.isRoot == true { errors.removeAll { $0.field == "slug" } }
        return (draft, errors)
    }

    /// The add or edit form.
    func formPage(site: Site, context: PorticoRequestContext, type: ItemType, parent: Target?, existing: Target?, values: [String: Any], errors: [FieldError],
                  preview: String? = nil, conflict: String? = nil, flash: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let now = services.clock.now()
        var page = try await base(site, context, title: existing?.item.title ?? "Add \(type.displayName.lowercased())")
        page["heading"] = existing.map { "Edit “\($0.item.title)”" } ?? "Add \(type.displayName.lowercased())"
        page["flash"] = flash
        page["type"] = type.rawValue
        page["v"] = values
        page["version"] = values["version"] ?? ""
        var fieldErrors: [String: String] = [:]
        for error in errors where fieldErrors[error.field] == nil { fieldErrors[error.field] = error.message }
        page["e"] = fieldErrors
        page["errors"] = errors.map { ["field": $0.field, "message": $0.message] }
        page["hasErrors"] = !errors.isEmpty
        page["conflict"] = conflict
        page["showSlug"] = existing.map { !$0.item.isRoot } ?? true
        page["isEvent"] = type == .event
        page["isLink"] = type == .link
        page["isFolder"] = type == .folder && existing?.item.isRoot != true
        page["isImage"] = type == .image
        page["hasFile"] = type.hasBlob
        page["hasBody"] = ![ItemType.link, .image].contains(type)
        page["uploadLimit"] = Formatting.size(Int64(uploadLimit))
        page["uploadsOff"] = services.switchboard.isOn(.uploads) ? nil : FeatureFlag.uploads.notice
        if let preview { page["previewHTML"] = MarkdownRenderer().html(from: preview) }
        let location = existing?.item ?? parent?.item
        let trail = (existing.map { $0.ancestors } ?? ((parent?.ancestors ?? []) + (parent.map { [$0.item] } ?? [])))
        page["crumbs"] = trail.map { ["title": $0.isRoot ? "Home" : $0.title, "url": url(context, "contents", $0.path)] }
        if let existing {
            let item = existing.item
            var entry = itemValues(item, context: context)
            entry["canHistory"] = policy.allows(context.principal, .viewHistory, item: item, ancestors: existing.ancestors, roles: existing.roles, at: now)
            entry["canDelete"] = policy.allows(context.principal, .delete, item: item, ancestors: existing.ancestors, roles: existing.roles, at: now)
            entry["canShare"] = item.type.isContainer && policy.allows(context.principal, .manageSharing, item: item, ancestors: existing.ancestors, roles: existing.roles, at: now)
            entry["sharingURL"] = url(context, "sharing", item.path)
            page["item"] = entry
            page["action"] = url(context, "edit", item.path)
            page["historyURL"] = url(context, "history", item.path)
            page["cancelURL"] = url(context, "contents", item.type.isContainer ? item.path : (item.ancestorPaths.last ?? "/"))
            if let blob = item.blob {
                page["currentFile"] = ["url": context.basePath + "/_blob/\(blob.sha256)/\(Formatting.pathSegment(blob.filename))", "name": blob.filename, "size": Formatting.size(blob.size)]
            }
            let transitions = Transition.allCases.filter { policy.allows(context.principal, $0, item: item, ancestors: existing.ancestors, roles: existing.roles, at: now) }
            page["hasTransitions"] = !transitions.isEmpty
            page["transitions"] = transitions.map { ["value": $0.rawValue, "name": $0.displayName] }
            page["transitionURL"] = url(context, "transition", item.path)
        } else if let location {
            page["action"] = url(context, "add", location.path)
            page["cancelURL"] = url(context, "contents", location.path)
        }
        return views.page("item-form", page, status: status)
    }
}
