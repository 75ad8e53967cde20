"""SYSTEM (administrators only): stores, their API plugins and secrets, GraphQL tokens, SOAP and admin users.

A secret is shown once, in the answer to the POST that issued it (with
``Cache-Control: no-store``); no page shows it again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.responses import Response

from opencentra.api.admin.web import BASE, Page, path_id, redirect
from opencentra.errors import Conflict, DomainError, NotFound, ValidationFailed
from opencentra.integers import parse_int
from opencentra.integration import (
    ALL_PERMISSIONS,
    AdminRole,
    PluginType,
    PluginView,
    SettingField,
    SettingKind,
    create_plugin,
    create_soap_user,
    create_token,
    deactivate_admin,
    deactivate_soap_user,
    get_plugin,
    list_admins,
    list_plugins,
    list_soap_users,
    list_tokens,
    revoke_plugin_secret,
    revoke_token,
    rotate_plugin_secret,
    rotate_soap_password,
    rotate_token,
    set_admin_access,
    set_admin_password,
    setting_fields,
    settings_errors,
    update_plugin,
)
from opencentra.stores import OversellingMode, StoreType, all_store_settings, create_store, store_settings, update_store

PLUGIN_TYPES = [kind.value for kind in PluginType]
MAX_TOKEN_DAYS = 3650


# --- stores ---------------------------------------------------------------------------------


def _store_form(current: Page) -> dict[str, Any]:
    return {
        "name": current.text("name"),
        "type": current.text("type", StoreType.DTC.value),
        "overselling_mode": current.text("overselling_mode", OversellingMode.STANDARD.value),
        "autoconfirm_orders": current.flag("autoconfirm_orders"),
        "timezone": current.text("timezone", "Europe/Stockholm"),
        "active": current.flag("active"),
    }


def _store_choices() -> dict[str, Any]:
    return {"store_types": [t.value for t in StoreType], "overselling_modes": [m.value for m in OversellingMode]}


async def store_list(current: Page) -> Response:
    """GET: every store. POST: create one."""
    values: dict[str, Any] = {
        "type": "DTC",
        "overselling_mode": "standard",
        "timezone": "Europe/Stockholm",
        "active": True,
    }
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        values = _store_form(current)
        try:
            kind = StoreType(values["type"])
            mode = OversellingMode(values["overselling_mode"])
        except ValueError:
            errors["type"] = "Choose a store type and an overselling mode from the lists."
        else:
            try:
                created = await create_store(
                    current.db,
                    values["name"],
                    type=kind,
                    overselling_mode=mode,
                    autoconfirm_orders=values["autoconfirm_orders"],
                    timezone=values["timezone"],
                    active=values["active"],
                )
            except (ValidationFailed, Conflict) as error:
                errors[error.field or "name"] = error.message
            else:
                return redirect(f"{BASE}/system/stores/{created.id}")
    found = await all_store_settings(current.db)
    status = 400 if errors else 200
    return current.render("stores.html", status, stores=found, values=values, errors=errors, **_store_choices())


async def store_edit(current: Page) -> Response:
    """GET: a store's settings and its plugins. POST: change the settings."""
    store_id = path_id(current.request, "store_id")
    store = await store_settings(current.db, store_id)
    errors: dict[str, str] = {}
    saved = False
    values: dict[str, Any] = {
        "name": store.name,
        "type": store.type.value,
        "overselling_mode": store.overselling_mode.value,
        "autoconfirm_orders": store.autoconfirm_orders,
        "timezone": store.timezone,
        "active": store.active,
    }
    if current.request.method == "POST":
        values = _store_form(current) | {"type": store.type.value}
        try:
            mode = OversellingMode(values["overselling_mode"])
        except ValueError:
            errors["overselling_mode"] = "Choose an overselling mode from the list."
        else:
            try:
                await update_store(
                    current.db,
                    store_id,
                    name=values["name"],
                    overselling_mode=mode,
                    autoconfirm_orders=values["autoconfirm_orders"],
                    timezone=values["timezone"],
                    active=values["active"],
                )
            except (ValidationFailed, Conflict) as error:
                errors[error.field or "name"] = error.message
            else:
                store = await store_settings(current.db, store_id)
                saved = True
    plugins = await list_plugins(current.db, store_id=store_id)
    return current.render(
        "store.html",
        400 if errors else 200,
        store=store,
        values=values,
        errors=errors,
        saved=saved,
        plugins=plugins,
        plugin_types=PLUGIN_TYPES,
        **_store_choices(),
    )


# --- plugins --------------------------------------------------------------------------------


def _shown(field: SettingField, value: Any) -> str:
    """A setting's value as its form field shows it."""
    if value is None:
        return ""
    if field.kind is SettingKind.NUMBERS:
        return ", ".join(str(v) for v in value)
    if field.kind is SettingKind.TEXTS:
        return "\n".join(str(v) for v in value)
    return str(value)


def _read_settings(current: Page, fields: list[SettingField]) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """The settings the form posted: (raw settings, errors by setting, what each field shows back)."""
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    shown: dict[str, Any] = {}
    for field in fields:
        key = f"setting.{field.name}"
        if field.kind is SettingKind.FLAG:
            raw[field.name] = shown[field.name] = current.flag(key)
            continue
        text = current.text(key)
        shown[field.name] = text
        if field.kind is SettingKind.NUMBERS:
            parts = [p for p in text.replace(",", " ").split() if p]
            numbers = [parse_int(p) for p in parts]
            if any(n is None for n in numbers):
                errors[field.name] = "Enter whole numbers (ids) separated by commas."
            raw[field.name] = [n for n in numbers if n is not None]
        elif field.kind is SettingKind.TEXTS:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            raw[field.name] = None if field.optional and not lines else lines
        elif field.kind in (SettingKind.NUMBER, SettingKind.CHOICE):
            if not text:
                if field.optional:
                    raw[field.name] = None
                else:
                    errors[field.name] = "Required."
                continue
            number = parse_int(text)
            if number is None:
                errors[field.name] = "Enter a whole number."
            else:
                raw[field.name] = number
        else:
            raw[field.name] = None if field.optional and not text else text
    return raw, errors, shown


def _plugin_kind(value: str) -> PluginType:
    try:
        return PluginType(value)
    except ValueError:
        raise NotFound("no such plugin type") from None


def _endpoint(current: Page, uri: str, plugin_id: int | None = None) -> str:
    base = str(current.request.base_url).rstrip("/")
    return f"{base}/api/{uri}" + (f"/{plugin_id}" if plugin_id is not None else "")


async def plugin_new(current: Page) -> Response:
    """GET: the form for a new plugin of a type. POST: create it and show its secret, once."""
    store_id = path_id(current.request, "store_id")
    store = await store_settings(current.db, store_id)
    kind = _plugin_kind(current.request.query_params.get("type", "") or current.text("type"))
    fields = setting_fields(kind)
    values: dict[str, Any] = {"name": "", "uri": kind.value, "active": True}
    shown = {field.name: _shown(field, field.default) for field in fields}
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        values = {"name": current.text("name"), "uri": current.text("uri"), "active": current.flag("active")}
        raw, errors, shown = _read_settings(current, fields)
        errors = settings_errors(kind, raw) | errors
        if not errors:
            try:
                plugin, secret = await create_plugin(
                    current.db,
                    store_id=store_id,
                    plugin_type=kind,
                    uri=values["uri"],
                    name=values["name"] or None,
                    settings=raw,
                    active=values["active"],
                )
            except DomainError as error:
                errors[_error_field(error)] = error.message
            else:
                return await _plugin_page(current, plugin.id, secret=secret)
    return current.render(
        "plugin.html",
        400 if errors else 200,
        store=store,
        plugin=None,
        kind=kind.value,
        fields=fields,
        values=values,
        shown=shown,
        errors=errors,
    )


def _error_field(error: DomainError) -> str:
    field = error.field or "form"
    return field.removeprefix("settings.")


async def _plugin_in_store(current: Page) -> PluginView:
    store_id = path_id(current.request, "store_id")
    plugin = await get_plugin(current.db, path_id(current.request, "plugin_id"))
    if plugin.store_id != store_id:
        raise NotFound("no such plugin")
    return plugin


async def _plugin_page(
    current: Page,
    plugin_id: int,
    *,
    secret: str | None = None,
    errors: dict[str, str] | None = None,
    shown: dict[str, Any] | None = None,
    saved: bool = False,
) -> Response:
    plugin = await get_plugin(current.db, plugin_id)
    store = await store_settings(current.db, plugin.store_id)
    fields = setting_fields(plugin.type)
    current_settings = plugin.settings.model_dump(mode="json")
    return current.render(
        "plugin.html",
        400 if errors else 200,
        store=store,
        plugin=plugin,
        kind=plugin.type.value,
        fields=fields,
        values={"name": plugin.name, "uri": plugin.uri, "active": plugin.active},
        shown=shown if shown is not None else {f.name: _shown(f, current_settings.get(f.name)) for f in fields},
        errors=errors or {},
        secret=secret,
        saved=saved,
        canonical=f"{BASE}/system/stores/{plugin.store_id}/plugins/{plugin.id}",
        endpoint=_endpoint(current, plugin.uri),
        permalink=_endpoint(current, plugin.uri, plugin.id),
    )


async def plugin_edit(current: Page) -> Response:
    """GET: a plugin, its endpoint and settings. POST: change its name, active flag and settings."""
    plugin = await _plugin_in_store(current)
    if current.request.method == "GET":
        return await _plugin_page(current, plugin.id)
    fields = setting_fields(plugin.type)
    raw, errors, shown = _read_settings(current, fields)
    errors = settings_errors(plugin.type, raw) | errors
    if errors:
        return await _plugin_page(current, plugin.id, errors=errors, shown=shown)
    try:
        await update_plugin(
            current.db, plugin.id, settings=raw, active=current.flag("active"), name=current.text("name") or None
        )
    except DomainError as error:
        return await _plugin_page(current, plugin.id, errors={_error_field(error): error.message}, shown=shown)
    return await _plugin_page(current, plugin.id, saved=True)


async def plugin_rotate(current: Page) -> Response:
    """Issue a new secret (the old one stops working) and show it, once."""
    plugin = await _plugin_in_store(current)
    issued = await rotate_plugin_secret(current.db, plugin.id)
    return await _plugin_page(current, plugin.id, secret=issued.secret)


async def plugin_revoke(current: Page) -> Response:
    """Remove the secret: no key opens the plugin until one is rotated in."""
    plugin = await _plugin_in_store(current)
    await revoke_plugin_secret(current.db, plugin.id)
    return redirect(f"{BASE}/system/stores/{plugin.store_id}/plugins/{plugin.id}")


# --- GraphQL integration tokens -------------------------------------------------------------


async def tokens(current: Page) -> Response:
    """GET: every token. POST: issue one and show it, once."""
    errors: dict[str, str] = {}
    secret: str | None = None
    values: dict[str, Any] = {"name": "", "permissions": [], "store": "", "days": "30"}
    if current.request.method == "POST":
        values = {
            "name": current.text("name"),
            "permissions": [p for p in current.values("permissions") if p in ALL_PERMISSIONS],
            "store": current.text("store"),
            "days": current.text("days"),
        }
        store_id = parse_int(values["store"]) if values["store"] else None
        days = parse_int(values["days"]) if values["days"] else None
        if values["store"] and store_id is None:
            errors["store"] = "Choose a store from the list."
        if values["days"] and (days is None or not 1 <= days <= MAX_TOKEN_DAYS):
            errors["days"] = f"Enter a number of days from 1 to {MAX_TOKEN_DAYS}, or nothing for no expiry."
        if not errors:
            try:
                _, secret = await create_token(
                    current.db,
                    name=values["name"],
                    permissions=values["permissions"],
                    store_id=store_id,
                    lifetime=timedelta(days=days) if days is not None else None,
                )
            except DomainError as error:
                errors[error.field or "name"] = error.message
            else:
                values = {"name": "", "permissions": [], "store": "", "days": "30"}
    return current.render(
        "tokens.html",
        400 if errors else 200,
        tokens=await list_tokens(current.db),
        stores=await all_store_settings(current.db),
        permissions=ALL_PERMISSIONS,
        values=values,
        errors=errors,
        secret=secret,
        canonical=f"{BASE}/system/tokens",
    )


async def token_revoke(current: Page) -> Response:
    await revoke_token(current.db, path_id(current.request, "token_id"))
    return redirect(f"{BASE}/system/tokens")


async def token_rotate(current: Page) -> Response:
    issued = await rotate_token(current.db, path_id(current.request, "token_id"))
    return current.render(
        "tokens.html",
        tokens=await list_tokens(current.db),
        stores=await all_store_settings(current.db),
        permissions=ALL_PERMISSIONS,
        values={"name": "", "permissions": [], "store": "", "days": "30"},
        errors={},
        secret=issued.secret,
        canonical=f"{BASE}/system/tokens",
    )


# --- SOAP users -----------------------------------------------------------------------------


async def soap_users(current: Page) -> Response:
    """GET: every SOAP user. POST: create one (action ``create``), issue a new password
    (``rotate``) or deactivate (``deactivate``); a password is shown once."""
    errors: dict[str, str] = {}
    password: str | None = None
    username = current.text("username")
    if current.request.method == "POST":
        action = current.text("action")
        try:
            if action == "create":
                store_text = current.text("store")
                store_id = parse_int(store_text) if store_text else None
                if store_text and store_id is None:
                    raise ValidationFailed("Choose a store from the list.", field="store")
                password = await create_soap_user(current.db, username=username, store_id=store_id)
            elif action == "rotate":
                password = await rotate_soap_password(current.db, username)
            elif action == "deactivate":
                await deactivate_soap_user(current.db, username)
                return redirect(f"{BASE}/system/soap-users")
            else:
                raise ValidationFailed("unknown action", field="form")
        except (ValidationFailed, Conflict, NotFound) as error:
            errors[error.field or "username"] = error.message
    return current.render(
        "soap_users.html",
        400 if errors else 200,
        users=await list_soap_users(current.db),
        stores=await all_store_settings(current.db),
        errors=errors,
        password=password,
        password_for=username if password else None,
        canonical=f"{BASE}/system/soap-users",
    )


# --- admin users ----------------------------------------------------------------------------


async def admins(current: Page) -> Response:
    """GET: every admin, their role and stores. POST: create one (``create``), change a role and stores
    (``access``) or deactivate (``deactivate``)."""
    errors: dict[str, str] = {}
    done: str | None = None
    if current.request.method == "POST":
        action = current.text("action")
        username = current.text("username")
        store_ids = [n for n in (parse_int(v) for v in current.values("stores")) if n is not None]
        try:
            if action == "create":
                if any(a.username == username for a in await list_admins(current.db)):
                    raise Conflict(f"admin {username!r} exists", field="username")
                if not username:
                    raise ValidationFailed("a username is required", field="username")
                role = AdminRole(current.text("role")) if current.text("role") in set(AdminRole) else None
                if role is None:
                    raise ValidationFailed("choose a role", field="role")
                await set_admin_password(current.db, username=username, password=current.text("password"))
                await set_admin_access(current.db, username=username, role=role, store_ids=store_ids)
                done = f"Admin {username} created."
            elif action == "access":
                if username == current.admin.username:
                    raise ValidationFailed("you cannot change your own role", field="username")
                await set_admin_access(current.db, username=username, role=current.text("role"), store_ids=store_ids)
                done = f"Access of {username} changed."
            elif action == "deactivate":
                if username == current.admin.username:
                    raise ValidationFailed("you cannot deactivate yourself", field="username")
                await deactivate_admin(current.db, username)
                done = f"Admin {username} deactivated."
            else:
                raise ValidationFailed("unknown action", field="form")
        except (ValidationFailed, Conflict, NotFound) as error:
            errors[error.field or "username"] = error.message
    return current.render(
        "admins.html",
        400 if errors else 200,
        admins=await list_admins(current.db),
        stores=await all_store_settings(current.db),
        roles=[r.value for r in AdminRole],
        errors=errors,
        done=done,
    )
