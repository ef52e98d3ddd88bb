"""A spreadsheet uploaded for import: read once, checked in a preview, saved on confirmation.

The preview carries the very file it checked to the confirm step in hidden fields:
compressed, base64-encoded and signed for the user (with whatever else the area's preview
decided, such as "as drafts"), so nothing is stored between the steps and the confirmation
cannot import another file than the one that was shown.
"""

import base64
import binascii
import hashlib
import zlib
from pathlib import PurePath

from flask import current_app, request
from flask_babel import gettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from usht_events.core.forms import control_character

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# How long a preview can wait for its confirmation.
PREVIEW_MAX_AGE_SECONDS = 3600
# Room left for the form's other fields under Werkzeug's limit on one form field.
OTHER_FIELDS_BYTES = 10_000


class CarryError(Exception):
    """The carried file is missing, altered, too old, or unreadable."""


class TooLargeToCarry(CarryError):
    """The file is within the upload limit, but its packed copy is over the form field's."""


def read_upload(field, missing: str) -> tuple[str, bytes] | None:
    """The upload's name (its last part, at most 120 characters) and content, or None with
    the reason on the field: `missing` when no file came, or it is too large, or its name
    has characters the audit log cannot hold."""
    upload = field.data
    content = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not upload or not upload.filename or not content:
        field.errors = [missing]
        return None
    if len(content) > MAX_UPLOAD_BYTES:
        field.errors = [
            gettext("Filen er for stor (høyst %(most)s MB).", most=MAX_UPLOAD_BYTES >> 20)
        ]
        return None
    filename = PurePath(upload.filename.replace("\\", "/")).name[-120:]
    # The name goes into the audit log; PostgreSQL refuses text with a NUL in it.
    if control_character(filename) is not None:
        field.errors = [
            gettext("Filnavnet inneholder tegn som ikke er tillatt. Gi filen nytt navn.")
        ]
        return None
    return filename, content


def carry(form, filename: str, content: bytes, salt: str, **vouched: str) -> None:
    """Put the file into the confirm form's `filename`, `content` and `signature` fields,
    the signature vouching for this user, the file and `vouched`."""
    packed = base64.b64encode(zlib.compress(content, 9)).decode("ascii")
    # Werkzeug refuses form fields above this size; say so now rather than at confirm.
    limit = request.max_form_memory_size
    if limit is not None and len(packed) > limit - OTHER_FIELDS_BYTES:
        raise TooLargeToCarry
    form.filename.data, form.content.data = filename, packed
    form.signature.data = _serializer(salt).dumps(_signed(filename, packed, vouched))


def opened(form, salt: str, **vouched: str) -> tuple[str, bytes]:
    """The name and content of the file the preview checked, if the signature holds for
    this user and `vouched`, and is fresh."""
    packed = form.content.data or ""
    try:
        signed = _serializer(salt).loads(form.signature.data or "", max_age=PREVIEW_MAX_AGE_SECONDS)
    except BadSignature as error:
        raise CarryError("bad signature") from error
    if signed != _signed(form.filename.data, packed, vouched):
        raise CarryError("not the file that was checked")
    try:
        inflater = zlib.decompressobj()
        content = inflater.decompress(base64.b64decode(packed, validate=True), MAX_UPLOAD_BYTES + 1)
    except (binascii.Error, zlib.error) as error:
        raise CarryError("unreadable") from error
    if len(content) > MAX_UPLOAD_BYTES:
        raise CarryError("too large")
    return form.filename.data, content


def _signed(filename: str, packed: str, vouched: dict) -> dict:
    """What the signature vouches for: who checked which file, and what else was decided."""
    digest = hashlib.sha256(packed.encode("utf-8")).hexdigest()
    return {"user": current_user.id, "filename": filename, "content": digest, **vouched}


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)
