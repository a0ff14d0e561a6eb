"""Evidence files of shadow tests, for the reviewers and admins who judge them.

A file lives outside the web root under the random name the upload gave it
(`EVIDENCE_DIR`); this is the only way to it, never a static or public address. It goes
out with the type it was stored as, not one a browser guesses, is kept in no cache
(a screenshot may show a tester's account), and is sandboxed in case a browser opens
it as a page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_file
from flask_babel import gettext as _
from werkzeug.security import safe_join

from fieldwork import db
from fieldwork.shadow.models import Evidence
from fieldwork.web.errors import ClientError
from fieldwork.web.staff import role_required

bp = Blueprint("shadow_evidence", __name__, url_prefix="/staff/shadow/evidence")

JUDGES = ("admin", "reviewer")
"""Who may open evidence: those who review tests. Testers see their own uploads while
they log (the upload page's business), never here."""
INLINE = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Types shown in the page; anything else is offered as a download of bytes."""
MAX_ID = 2**31 - 1


@bp.get("/<int:evidence_id>")
@role_required(*JUDGES)
def file(evidence_id: int) -> Response:
    found = db.session().get(Evidence, evidence_id) if evidence_id <= MAX_ID else None
    folder = str(Path(current_app.config["EVIDENCE_DIR"]))
    joined = safe_join(folder, found.stored_name) if found is not None else None
    if found is None or found.removed_at is not None or joined is None:
        raise ClientError(404, _("There is no evidence file with this number."))
    path = Path(joined)
    if not path.is_file():
        raise ClientError(404, _("This evidence file is missing from the store."))
    inline = found.media_type in INLINE
    extension = found.media_type.rpartition("/")[2] if inline else "bin"
    sent = send_file(
        path,
        mimetype=found.media_type if inline else "application/octet-stream",
        as_attachment=not inline,
        download_name=f"evidence-{evidence_id}.{extension}",
        conditional=False,
        etag=False,
        max_age=0,
    )
    sent.headers["Cache-Control"] = "no-store"
    sent.headers["X-Content-Type-Options"] = "nosniff"
    sent.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return sent
