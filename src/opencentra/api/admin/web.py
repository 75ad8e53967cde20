"""The admin UI's plumbing: sessions from the cookie, CSRF, roles, templates and error pages.

Every page is a ``Page`` handler wrapped by ``page()``, which answers before
the handler runs: no session → redirect to the login page (with the page as
``next``); a SYSTEM page for a store manager → 403; a POST whose
``csrf_token`` field is not the session's → 403. Handlers raise domain
errors; ``NotFound`` becomes a 404 page (also for another store's ids, so a
store manager learns nothing of stores not given to them).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opencentra.api.context import AppContext
from opencentra.api.dispatch import APP_CONTEXT_KEY
from opencentra.db.engine import Database
from opencentra.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from opencentra.integers import parse_int
from opencentra.integration import AdminSessionView, AdminView, admin_session
from opencentra.ratelimit.throttle import Throttle, Throttles, TooManyAttempts

log = logging.getLogger("opencentra.api.admin")

BASE = "/ams"
SESSION_COOKIE = "ams_session"
LOGIN_CSRF_COOKIE = "ams_login_csrf"
CSRF_FIELD = "csrf_token"

# Pages load scripts and styles only from /ams/static; nothing may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages show secrets once and personal data: never kept by a browser or proxy cache.
    "Cache-Control": "no-store",
}


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


templates = Environment(
    loader=PackageLoader("opencentra.api.admin", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["date"] = _date
templates.globals["BASE"] = BASE


def app_context(request: Request) -> AppContext:
    context = getattr(request.state, APP_CONTEXT_KEY, None)
    if not isinstance(context, AppContext):
        raise RuntimeError("the admin UI runs inside the OpenCentra app")
    return context


THROTTLES_STATE = "admin_throttles"


def throttle(request: Request) -> Throttle:
    """The login throttle of this admin app (each app its own, shared by processes through Redis)."""
    throttles = getattr(request.app.state, THROTTLES_STATE)
    assert isinstance(throttles, Throttles)
    return throttles.get(app_context(request).settings.redis_url)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client is not None else None


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    *,
    session: AdminSessionView | None = None,
    **values: Any,
) -> HTMLResponse:
    html = templates.get_template(template).render(
        request=request,
        session=session,
        admin=session.admin if session is not None else None,
        csrf_token=session.csrf_token if session is not None else values.pop("csrf_token", ""),
        path=request.url.path,
        **values,
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def redirect(location: str) -> RedirectResponse:
    """A 303 after a POST (the browser GETs the next page); only ever to a path of our own."""
    return RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)


def safe_next(value: str | None) -> str:
    """Where to go after login: a path under ``/ams/`` only, so a link cannot send the admin elsewhere."""
    if not value or "\\" in value or any(ord(c) < 0x20 for c in value):
        return f"{BASE}/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{BASE}/") or value.startswith("//"):
        return f"{BASE}/"
    return value


def error_page(request: Request, status_code: int, message: str, session: AdminSessionView | None = None) -> Response:
    return render(request, "error.html", status_code, session=session, status=status_code, message=message)


async def read_form(request: Request) -> FormData:
    """The posted form; a body that is not a form reads as an empty one (and so fails the CSRF check)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return FormData()
    try:
        return await request.form(max_files=0, max_fields=2000)
    except HTTPException:
        raise
    except Exception:
        # A malformed multipart body is the client's error, not ours.
        raise HTTPException(400, "the form could not be read") from None


def path_id(request: Request, name: str) -> int:
    """An id from the path; anything but a plain number is a page that does not exist."""
    value = parse_int(str(request.path_params.get(name, "")))
    if value is None:
        raise NotFound(f"no such {name}")
    return value


@dataclass
class Page:
    """What a page handler gets: the request, the admin's session, the database and the form."""

    request: Request
    session: AdminSessionView
    db: Database
    form: FormData = field(default_factory=FormData)

    @property
    def admin(self) -> AdminView:
        return self.session.admin

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        return render(self.request, template, status_code, session=self.session, **values)

    def store_id(self, name: str = "store_id") -> int:
        """The store in the path, if this admin works in it; otherwise the page does not exist (404)."""
        store_id = path_id(self.request, name)
        if not self.admin.may_work_in(store_id):
            raise NotFound("no such store")
        return store_id

    def text(self, name: str, default: str = "") -> str:
        """A typed value, trimmed; a NUL character (which PostgreSQL cannot store) is refused beside the field."""
        value = self.form.get(name, default)
        if not isinstance(value, str):
            return default
        if "\x00" in value:
            raise ValidationFailed("This value holds a character that cannot be stored.", field=name)
        return value.strip()

    def flag(self, name: str) -> bool:
        return self.form.get(name) in ("on", "true", "1")

    def values(self, name: str) -> list[str]:
        return [v for v in self.form.getlist(name) if isinstance(v, str)]


Handler = Callable[[Page], Awaitable[Response]]


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, path=BASE, httponly=True, samesite="lax", secure=is_https(request))


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=BASE, httponly=True, samesite="lax", secure=is_https(request))


def login_csrf(request: Request) -> str:
    """The login form's token: double-submitted (cookie and field), as there is no session yet."""
    found = request.cookies.get(LOGIN_CSRF_COOKIE)
    return found if found and 20 <= len(found) <= 100 else secrets.token_urlsafe(32)


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path=BASE, httponly=True, samesite="strict", secure=is_https(request))


def page(handler: Handler, *, system: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with the session, role and CSRF checks and the error pages."""

    async def endpoint(request: Request) -> Response:
        context = app_context(request)
        session: AdminSessionView | None = None
        try:
            session = await admin_session(context.db, session_token(request))
            if session is None:
                if request.method != "GET":
                    return error_page(request, 401, "Your session has ended. Log in again.")
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return redirect(f"{BASE}/login?next={quote(target, safe='')}")
            if system and not session.admin.is_administrator:
                return error_page(request, 403, "Only administrators reach SYSTEM.", session)
            current = Page(request, session, context.db)
            if request.method == "POST":
                current.form = await read_form(request)
                presented = current.form.get(CSRF_FIELD)
                if not session.csrf_matches(presented if isinstance(presented, str) else None):
                    return error_page(request, 403, "The form was stale or not ours (CSRF check). Reload it.", session)
            return await handler(current)
        except NotFound:
            return error_page(request, 404, "Not found.", session)
        except PermissionDenied as error:
            return error_page(request, 403, error.message, session)
        except TooManyAttempts as error:
            response = error_page(request, 429, "Too many attempts; try again later.", session)
            response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
            return response
        except DomainError as error:
            return error_page(request, 400, error.message, session)
        except HTTPException as error:
            return error_page(request, error.status_code, str(error.detail), session)
        except Exception:
            log.exception("admin page failed: %s %s", request.method, request.url.path)
            return error_page(request, 500, "Something went wrong on our side.", session)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint
