"""Domain errors: values with a code, a field and a message.

Services raise these; each API adapter maps them to its own wire format at the
edge (the Checkout API's ``errors`` object, the Order API's ``status: no``,
GraphQL ``userErrors``, a SOAP fault). The domain never knows which API called.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A business rule said no. ``code`` is stable and machine-readable."""

    code: ClassVar[str] = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, message={self.message!r})"


class ValidationFailed(DomainError):
    """Input is malformed or out of range."""

    code = "invalid"


class NotFound(DomainError):
    """The addressed object does not exist (or is not visible to the caller)."""

    code = "not_found"


class Conflict(DomainError):
    """The change clashes with current state (already exists, wrong status)."""

    code = "conflict"


class Unauthorized(DomainError):
    """The caller did not prove who it is."""

    code = "unauthorized"


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class OutOfStock(DomainError):
    """Not enough available stock for the requested quantity."""

    code = "out_of_stock"

    def __init__(
        self, message: str, *, field: str | None = None, unavailable: list[dict[str, object]] | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.unavailable = unavailable or []
