"""Google Drive v3 stand-in: files and folders (create, list with ``q``, get, update, trash,
delete, copy) and permissions.

``q`` understands ``'<id>' in parents``, ``name contains '<text>'``, ``name = '<text>'``,
``mimeType = '<type>'`` and ``trashed = true|false`` joined by ``and``. Answers include every
field, a superset of what ``fields`` asks for.
"""

from __future__ import annotations

import re
from typing import Any

from actionplane.sandbox.http import Call, Reply
from actionplane.sandbox.providers.base import iso, page
from actionplane.sandbox.providers.google import GoogleProvider
from actionplane.sandbox.state import Record

FOLDER = "application/vnd.google-apps.folder"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"


def _matches(file: Record, q: str) -> bool:
    for clause in re.split(r"\s+and\s+", q.strip(), flags=re.I) if q.strip() else []:
        if m := re.fullmatch(r"'([^']+)'\s+in\s+parents", clause.strip()):
            ok = m[1] in file["parents"]
        elif m := re.fullmatch(r"name\s+contains\s+'([^']*)'", clause.strip()):
            ok = m[1].lower() in file["name"].lower()
        elif m := re.fullmatch(r"(name|mimeType)\s*=\s*'([^']*)'", clause.strip()):
            ok = file[m[1]] == m[2]
        elif m := re.fullmatch(r"trashed\s*=\s*(true|false)", clause.strip()):
            ok = file["trashed"] == (m[1] == "true")
        else:
            ok = True
        if not ok:
            return False
    return True


class GoogleDrive(GoogleProvider):
    slug = "google_drive"

    def register(self) -> None:
        r = self.route
        r("POST", "/drive/v3/files")(self.create)
        r("GET", "/drive/v3/files")(self.list)
        r("GET", "/drive/v3/files/{id}")(lambda c: Reply(200, c.require("files", c.params["id"])))
        r("PATCH", "/drive/v3/files/{id}")(self.update)
        r("DELETE", "/drive/v3/files/{id}")(self.delete)
        r("POST", "/drive/v3/files/{id}/copy")(self.copy)
        r("POST", "/drive/v3/files/{id}/permissions")(self.share)
        r("GET", "/drive/v3/files/{id}/permissions")(self.permissions)
        r("DELETE", "/drive/v3/files/{id}/permissions/{permission_id}")(self.unshare)
        self.default("files")(
            lambda c, key, scope: self._file(c, key, {"name": f"Seeded {key[:8]}"})
        )
        self.default("permissions")(
            lambda c, key, scope: {
                "kind": "drive#permission",
                "id": key,
                "type": "user",
                "role": "reader",
                "emailAddress": "seeded@example.com",
            }
        )

    def _file(self, call: Call, fid: str, meta: dict[str, Any]) -> Record:
        mime = meta.get("mimeType", "application/octet-stream")
        kind = "folders" if mime == FOLDER else "file/d"
        return {
            "kind": "drive#file",
            "id": fid,
            "name": meta.get("name", "Untitled"),
            "mimeType": mime,
            "description": meta.get("description"),
            "parents": list(meta.get("parents") or ["root"]),
            "trashed": False,
            "starred": bool(meta.get("starred", False)),
            "createdTime": iso(call.now),
            "modifiedTime": iso(call.now),
            "webViewLink": f"https://drive.google.com/{kind}/{fid}",
            "owners": [{"emailAddress": f"{call.user}@example.com", "displayName": call.user}],
        }

    def _new_id(self, call: Call) -> str:
        return "1" + call.store.ident("drive:file", 32, _ALPHABET)

    def create(self, call: Call) -> Reply:
        meta = dict(call.body or {})
        for parent in meta.get("parents") or []:
            call.require("files", parent)
        fid = self._new_id(call)
        record = call.store.put(self.slug, "files", (), fid, self._file(call, fid, meta))
        call.effect("files.create", fid)
        return Reply(200, record)

    def list(self, call: Call) -> Reply:
        q = str(call.arg("q") or "")
        found = [f for f in call.store.all(self.slug, "files") if _matches(f, q)]
        # Records are kept in creation order (edits keep their place): either time, descending,
        # is newest first, as Drive answers it.
        order = str(call.arg("orderBy") or "")
        if "modifiedTime desc" in order or "createdTime desc" in order:
            found.reverse()
        return Reply(
            200,
            {
                "kind": "drive#fileList",
                "incompleteSearch": False,
                "files": page(found, call, "pageSize", 100),
            },
        )

    def update(self, call: Call) -> Reply:
        file = call.require("files", call.params["id"])
        body = dict(call.body or {})
        for field in ("name", "description", "starred", "trashed", "mimeType"):
            if field in body:
                file[field] = body[field]
        for parent in str(call.query.get("removeParents") or "").split(","):
            if parent in file["parents"]:
                file["parents"].remove(parent)
        for parent in str(call.query.get("addParents") or "").split(","):
            if parent and parent not in file["parents"]:
                file["parents"].append(parent)
        file["modifiedTime"] = iso(call.now)
        call.effect("files.trash" if body.get("trashed") else "files.update", file["id"])
        return Reply(200, file)

    def delete(self, call: Call) -> Reply:
        fid = call.require("files", call.params["id"])["id"]
        call.store.remove(self.slug, "files", (), fid)
        call.effect("files.delete", fid)
        return Reply(204)

    def copy(self, call: Call) -> Reply:
        source = call.require("files", call.params["id"])
        body = dict(call.body or {})
        fid = self._new_id(call)
        meta = {
            **source,
            "name": body.get("name", f"Copy of {source['name']}"),
            "parents": body.get("parents") or source["parents"],
        }
        record = call.store.put(self.slug, "files", (), fid, self._file(call, fid, meta))
        call.effect("files.copy", fid)
        return Reply(200, record)

    def share(self, call: Call) -> Reply:
        fid = call.require("files", call.params["id"])["id"]
        body = dict(call.body or {})
        pid = call.store.ident("drive:permission", 20, "0123456789")
        permission = {
            "kind": "drive#permission",
            "id": pid,
            "type": body.get("type", "user"),
            "role": body.get("role", "reader"),
            "emailAddress": body.get("emailAddress"),
            "domain": body.get("domain"),
        }
        call.store.put(self.slug, "permissions", (fid,), pid, permission)
        call.effect("permissions.create", pid)
        return Reply(200, permission)

    def permissions(self, call: Call) -> Reply:
        fid = call.require("files", call.params["id"])["id"]
        found = call.store.all(self.slug, "permissions", (fid,))
        return Reply(
            200, {"kind": "drive#permissionList", "permissions": page(found, call, "pageSize", 100)}
        )

    def unshare(self, call: Call) -> Reply:
        fid = call.require("files", call.params["id"])["id"]
        pid = call.require("permissions", call.params["permission_id"], (fid,))["id"]
        call.store.remove(self.slug, "permissions", (fid,), pid)
        call.effect("permissions.delete", pid)
        return Reply(204)
