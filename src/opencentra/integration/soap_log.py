"""The SOAP API's request and response log, per SOAP user (Centra's admin shows the same under SOAP API).

Every authenticated call is written with its operation, status, request and
response; passwords are blanked before anything is stored, and each text is
cut at ``MAX_LOGGED_CHARS`` (a products push can be megabytes). Entries older
than the kept days are removed as new ones are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integration.models import SoapUser
from opencentra.integration.soap_log_models import SoapCall

MAX_LOGGED_CHARS = 65_536
DEFAULT_KEEP_DAYS = 30
# Any element whose local name is "password", with or without a namespace prefix.
_PREFIX = r"(?:[A-Za-z_][\w.-]*:)?"
_PASSWORD = re.compile(rf"(<{_PREFIX}password(?:\s[^>]*)?>)(.*?)(</{_PREFIX}password\s*>)", re.S)


@dataclass(frozen=True, slots=True)
class SoapCallView:
    id: int
    username: str
    operation: str
    status: int
    request: str
    response: str
    created_at: datetime


def redact(document: str) -> str:
    """``document`` with the text of every ``password`` element replaced by ``***``."""
    return _PASSWORD.sub(r"\g<1>***\g<3>", document)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_LOGGED_CHARS else text[:MAX_LOGGED_CHARS] + "\n[... cut]"


async def record_soap_call(
    db: Database,
    *,
    soap_user_id: int,
    operation: str,
    status: int,
    request: bytes,
    response: bytes,
    keep_days: int = DEFAULT_KEEP_DAYS,
) -> None:
    """Log one call (``keep_days`` 0: log nothing) and drop entries older than ``keep_days``."""
    if keep_days <= 0:
        return
    # Redact before cutting, so a password split by the cut cannot survive.
    logged_request = _cut(redact(request.decode("utf-8", "replace")))
    logged_response = _cut(redact(response.decode("utf-8", "replace")))
    async with db.write() as session:
        session.add(
            SoapCall(
                soap_user_id=soap_user_id,
                operation=operation[:64],
                status=status,
                request=logged_request,
                response=logged_response,
            )
        )
        await session.execute(delete(SoapCall).where(SoapCall.created_at < utcnow() - timedelta(days=keep_days)))


async def soap_call_page(db: Database, username: str, *, limit: int = 20) -> list[SoapCallView]:
    """The user's latest calls, newest first."""
    if not 1 <= limit <= 1000:
        raise ValidationFailed("limit is 1 to 1000", field="limit")
    async with db.read() as session:
        user_id = await session.scalar(select(SoapUser.id).where(SoapUser.username == username))
        if user_id is None:
            raise NotFound(f"SOAP user {username!r} not found", field="username")
        rows = await session.scalars(
            select(SoapCall).where(SoapCall.soap_user_id == user_id).order_by(SoapCall.id.desc()).limit(limit)
        )
        return [
            SoapCallView(row.id, username, row.operation, row.status, row.request, row.response, row.created_at)
            for row in rows
        ]
