"""The admin UI over HTTP: admins made through the domain, a browser-like client that logs in."""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx
import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient
from tests.conftest import ApiHarness

from opencentra import passwords
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access
from opencentra.stores import services as stores

ADMIN = ("root", "correct horse battery")
MANAGER = ("manager", "manager password 1")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """A client with its own cookie jar, like one browser; ``post`` carries the page's CSRF token."""

    def __init__(self, api: ApiHarness) -> None:
        self.api = api
        self.client = TestClient(api.client.app, base_url="http://testserver")
        # Share the running app's portal (lifespan already entered) instead of starting another.
        self.client.portal = api.client.portal
        self.client.app_state.update(api.client.app_state)
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        answer = self.client.get(path, follow_redirects=False, **kwargs)
        if 'name="csrf_token"' in answer.text:
            self.csrf = csrf_of(answer.text)
        return answer

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        answer = self.client.post(path, data=form, follow_redirects=False)
        if 'name="csrf_token"' in answer.text:
            self.csrf = csrf_of(answer.text)
        return answer

    def login(self, username: str, password: str, next_page: str = "") -> httpx.Response:
        self.get("/ams/login")
        answer = self.post("/ams/login", {"username": username, "password": password, "next": next_page})
        if answer.status_code == 303:
            self.get("/ams/")
        return answer


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2id at production cost takes ~180 ms a hash; these tests are about the pages
    # (tests/customers covers the hash with the real costs). Still argon2id.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("opencentra-dummy-password"))


@pytest.fixture
def admin_world(api: ApiHarness) -> dict[str, int]:
    """Two stores; an administrator; a store manager of the first store only."""
    first = api.call(stores.create_store, "First")
    second = api.call(stores.create_store, "Second")
    api.call(integration.set_admin_password, username=ADMIN[0], password=ADMIN[1])
    api.call(integration.set_admin_password, username=MANAGER[0], password=MANAGER[1])
    api.call(set_admin_access, username=MANAGER[0], role=AdminRole.STORE_MANAGER, store_ids=[first.id])
    return {"first": first.id, "second": second.id}


@pytest.fixture
def browser(api: ApiHarness) -> Browser:
    return Browser(api)


@pytest.fixture
def root(api: ApiHarness, admin_world: dict[str, int]) -> Browser:
    session = Browser(api)
    assert session.login(*ADMIN).status_code == 303
    return session


@pytest.fixture
def manager(api: ApiHarness, admin_world: dict[str, int]) -> Browser:
    session = Browser(api)
    assert session.login(*MANAGER).status_code == 303
    return session
