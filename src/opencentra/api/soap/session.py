"""What every SOAP operation gets: the database, the SOAP user, and the ID conversion table."""

from __future__ import annotations

from dataclasses import dataclass, field

from opencentra import integration
from opencentra.db.engine import Database
from opencentra.errors import PermissionDenied, ValidationFailed
from opencentra.integers import whole_number
from opencentra.ratelimit.throttle import Limit, Policy

# Failed SOAP logins: 50 per client address per 5 minutes, then 429. No per-username slow-down: every
# SOAP request logs in, an ERP sends them in parallel (each in flight counts until it succeeds), and a
# generated 256-bit password cannot be guessed anyway; the address limit stops floods of guesses.
LOGIN_POLICY = Policy("soap-login", per_address=Limit(50, 300))


@dataclass
class Outcome:
    """An update's ``errors`` and ``notices``, in the order they happened."""

    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SoapCall:
    db: Database
    user: integration.SoapLogin

    def store(self, raw: str | None) -> int:
        """The store an item names, within the user's scope; a store-bound user may omit it."""
        if raw is None or raw == "":
            if self.user.store_id is None:
                raise ValidationFailed("store is required", field="store")
            return self.user.store_id
        store_id = whole_number(raw, "store", minimum=1)
        if self.user.store_id is not None and store_id != self.user.store_id:
            raise PermissionDenied(f"store {store_id} is not this SOAP user's store", field="store")
        return store_id


async def internal_id(db: Database, object_type: str, external: str) -> int | None:
    """Our id for the ERP's ``external`` id of ``object_type``; None when it is new."""
    found = await integration.internal_ids(
        db, integration=integration.SOAP_INTEGRATION, object_type=object_type, external_ids=[external]
    )
    return found.get(external)


async def remember(db: Database, object_type: str, internal: int, external: str) -> None:
    await integration.set_external_id(
        db,
        integration=integration.SOAP_INTEGRATION,
        object_type=object_type,
        internal_id=internal,
        external_id=external,
    )


async def external_of(db: Database, object_type: str, internals: list[int]) -> dict[int, str]:
    return await integration.external_ids(
        db, integration=integration.SOAP_INTEGRATION, object_type=object_type, internal_ids=internals
    )
