"""A store's customer: contact details, address, email and consents, each form one ``opencentra.customers``
use case. A customer of another store (or an anonymized one, for changes) is a page that does not exist."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from opencentra import customers
from opencentra.address import Address
from opencentra.api.admin.web import BASE, Page, path_id, redirect
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.stores import store_settings

# The longest value each column keeps: a longer one is the typist's error, said beside the field.
ADDRESS_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "phone_number": 50,
    "address1": 200,
    "address2": 200,
    "zip_code": 32,
    "city": 100,
    "state": 100,
    "country": 2,
    "vat_number": 64,
}
CONSENT_TEXT_LIMIT = 2000


async def _customer(current: Page, store_id: int) -> customers.CustomerView:
    customer = await customers.find_customer_view(current.db, path_id(current.request, "customer_id"))
    if customer is None or customer.store_id != store_id:
        raise NotFound("no such customer")
    return customer


async def _customer_page(
    current: Page, store_id: int, customer: customers.CustomerView, status: int = 200, **values: Any
) -> Response:
    store = await store_settings(current.db, store_id)
    consents = (await customers.consents_of(current.db, [customer.id]))[customer.id]
    return current.render(
        "customer.html",
        status,
        store=store,
        customer=customer,
        consents=consents,
        limits=ADDRESS_LIMITS,
        errors=values.pop("errors", {}),
        posted=values.pop("posted", {}),
        **values,
    )


async def customer_detail(current: Page) -> Response:
    """A customer's details, address and consents."""
    store_id = current.store_id()
    customer = await _customer(current, store_id)
    return await _customer_page(current, store_id, customer, saved=current.request.query_params.get("saved", ""))


def _address(current: Page) -> Address:
    values: dict[str, str | None] = {}
    for name, limit in ADDRESS_LIMITS.items():
        value = current.text(name)
        if len(value) > limit:
            raise ValidationFailed(f"At most {limit} characters.", field=name)
        # An emptied field is cleared; the domain reads None as "unchanged".
        values[name] = value
    if values["country"] == "":
        values["country"] = None
    return Address(**values)


async def _save_details(current: Page, customer: customers.CustomerView) -> None:
    address = _address(current)
    # The address (names included) first: it is the write that can be refused (an unknown country),
    # so a refusal leaves everything as it was; the newsletter flag cannot be refused after it.
    await customers.update_address(current.db, customer.id, address)
    await customers.update_details(
        current.db, customer.id, customers.CustomerChanges(newsletter=current.flag("newsletter"))
    )


async def _save_email(current: Page, customer: customers.CustomerView) -> None:
    email = current.text("email")
    if not email or len(email) > 254:
        raise ValidationFailed("Enter an email address.", field="email")
    try:
        await customers.change_email(current.db, customer.id, email)
    except DomainError as error:
        raise type(error)(error.message, field="email") from None


async def _save_consent(current: Page, customer: customers.CustomerView) -> None:
    key = current.text("key")
    name = current.text("consent_name")
    if not key:
        raise ValidationFailed("Enter the consent's key.", field="key")
    if len(name) > 255:
        raise ValidationFailed("At most 255 characters.", field="consent_name")
    consent = customers.ConsentInput(key=key, consented=current.flag("consented"), name=name or None)
    try:
        await customers.record_consents(current.db, customer.id, [consent])
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="key") from None


_ACTIONS = {"details": _save_details, "email": _save_email, "consent": _save_consent}


async def customer_action(current: Page) -> Response:
    """Save one form of the customer page; a refused value is shown beside its field (400)."""
    store_id = current.store_id()
    customer = await _customer(current, store_id)
    name = str(current.request.path_params.get("action", ""))
    action = _ACTIONS.get(name)
    if action is None or customer.anonymized_at is not None:
        raise NotFound("no such action")
    try:
        await action(current, customer)
    except NotFound:
        raise
    except DomainError as error:
        errors = {error.field or "form": error.message}
        posted = {k: v for k, v in current.form.items() if isinstance(v, str)}
        return await _customer_page(current, store_id, customer, 400, errors=errors, posted=posted)
    return redirect(f"{BASE}/stores/{store_id}/customers/{customer.id}?saved={name}")
