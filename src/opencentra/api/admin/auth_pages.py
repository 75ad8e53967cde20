"""Logging in and out, the password change, and the start page."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.admin.web import (
    BASE,
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    Page,
    app_context,
    clear_session_cookie,
    client_address,
    error_page,
    login_csrf,
    read_form,
    redirect,
    render,
    safe_next,
    session_token,
    set_login_csrf,
    set_session_cookie,
    throttle,
)
from opencentra.errors import Unauthorized, ValidationFailed
from opencentra.integration import admin_session, change_admin_password, log_in_admin, log_out_admin
from opencentra.ratelimit.throttle import TooManyAttempts
from opencentra.stores import all_store_settings


def _login_form(request: Request, *, status_code: int = 200, error: str | None = None, username: str = "") -> Response:
    token = login_csrf(request)
    response = render(
        request,
        "login.html",
        status_code,
        csrf_token=token,
        error=error,
        username=username,
        next=safe_next(request.query_params.get("next")),
    )
    set_login_csrf(request, response, token)
    return response


async def login(request: Request) -> Response:
    """GET: the login form. POST: check the password, open a session, go where the admin was going."""
    context = app_context(request)
    if request.method == "GET":
        if await admin_session(context.db, session_token(request)) is not None:
            return redirect(safe_next(request.query_params.get("next")))
        return _login_form(request)
    form = await read_form(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    presented = form.get(CSRF_FIELD)
    if not cookie or not isinstance(presented, str) or not hmac.compare_digest(cookie.encode(), presented.encode()):
        return error_page(request, 403, "The login form was stale or not ours (CSRF check). Reload it.")
    username = form.get("username")
    password = form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        return _login_form(request, status_code=400, error="Enter your username and password.")
    try:
        started = await log_in_admin(
            context.db, throttle(request), username=username, password=password, address=client_address(request)
        )
    except TooManyAttempts as refused:
        response = _login_form(request, status_code=429, error="Too many attempts; try again later.")
        response.headers["Retry-After"] = str(max(1, round(refused.retry_after)))
        return response
    except Unauthorized:
        return _login_form(request, status_code=401, error="Wrong username or password.", username=username)
    next_page = form.get("next")
    response = redirect(safe_next(next_page if isinstance(next_page, str) else None))
    set_session_cookie(request, response, started.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=BASE)
    return response


async def logout(current: Page) -> Response:
    await log_out_admin(current.db, session_token(current.request))
    response = redirect(f"{BASE}/login")
    clear_session_cookie(current.request, response)
    return response


async def home(current: Page) -> Response:
    """The stores this admin works in, and (administrators) the way to SYSTEM."""
    ids = None if current.admin.is_administrator else current.admin.store_ids
    stores = await all_store_settings(current.db, ids)
    return current.render("home.html", stores=stores)


async def password(current: Page) -> Response:
    """Change the password: every session of the admin ends, this browser gets a new one."""
    if current.request.method == "GET":
        return current.render("password.html", errors={})
    new = current.text("new_password")
    if new != current.text("repeat_password"):
        return current.render("password.html", 400, errors={"repeat_password": "The two new passwords differ."})
    try:
        started = await change_admin_password(
            current.db,
            throttle(current.request),
            admin_id=current.admin.id,
            current_password=current.text("current_password"),
            new_password=new,
            address=client_address(current.request),
        )
    except (Unauthorized, ValidationFailed) as error:
        field = error.field if error.field in ("current_password", "password") else "current_password"
        field = "new_password" if field == "password" else field
        return current.render("password.html", 400, errors={field: error.message})
    # The page already belongs to the new session: its forms carry the new CSRF token.
    response = render(current.request, "password.html", session=started.session, errors={}, changed=True)
    set_session_cookie(current.request, response, started.token)
    return response
