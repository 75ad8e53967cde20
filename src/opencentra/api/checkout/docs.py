"""OpenAPI descriptions shared by the routes: what an answer and an error look like."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorBody(BaseModel):
    """Any status >= 400: ``errors`` keyed by field; ``token`` still present."""

    model_config = ConfigDict(extra="allow")
    token: str | None = None
    errors: dict[str, str]


class SelectionResponse(BaseModel):
    """Centra's SelectionResponse (or, once paid, ``order`` instead of ``selection``)."""

    model_config = ConfigDict(extra="allow")
    token: str | None = None
    selection: dict[str, Any] | None = None
    order: dict[str, Any] | None = None
    paymentMethods: list[dict[str, Any]] | None = None  # noqa: N815
    paymentFields: dict[str, Any] | None = None  # noqa: N815
    shippingMethods: list[dict[str, Any]] | None = None  # noqa: N815
    countries: list[dict[str, Any]] | None = None
    languages: list[dict[str, Any]] | None = None
    location: dict[str, Any] | None = None
    loggedIn: dict[str, Any] | None = None  # noqa: N815
    unavailable: list[dict[str, Any]] | None = None


class AnyResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    token: str | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


COMMON: dict[int | str, dict[str, Any]] = {
    400: _error("Malformed request (bad JSON or parameters)"),
    401: _error("Origin not allowed, or wrong shared secret"),
    413: _error("Request body too large"),
}
SELECTION: dict[int | str, dict[str, Any]] = {
    **COMMON,
    404: _error("Unknown item, line, method, voucher or country"),
    406: _error("Invalid value"),
    409: _error("The selection can no longer change"),
    410: _error("Out of stock; see `unavailable`"),
}
ACCOUNT: dict[int | str, dict[str, Any]] = {
    **COMMON,
    403: _error("Needs a logged-in customer"),
    404: _error("Not found"),
    406: _error("Invalid value or wrong password"),
    409: _error("Already registered"),
    429: _error("Too many attempts"),
}
CATALOG: dict[int | str, dict[str, Any]] = {
    **COMMON,
    403: _error("Server mode only"),
    404: _error("Not found"),
    406: _error("Invalid value"),
}
