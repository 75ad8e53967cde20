"""Customers: list, get, update, anonymize (GDPR).

The customers of the plugin's stores, with their consents
(``opencentra.customers``): PUT stores the given consents by key, creating
keys the store has not seen.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import customers, orders
from opencentra.address import Address
from opencentra.api.order import wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import CustomerConsent as BodyConsent
from opencentra.api.order.bodies import CustomerUpdate
from opencentra.api.order.envelope import ask_xml, failure, ok, respond
from opencentra.api.order.orders import DOCUMENTED, page
from opencentra.db.listing import Between, TextMatch, Window
from opencentra.errors import Conflict, NotFound, ValidationFailed

router = APIRouter()
NOT_FOUND = "The customer was not found."


def consent_json(api: OrderApi, consent: customers.ConsentView) -> dict[str, Any]:
    return {
        "key": consent.key,
        "name": consent.name,
        "consented": consent.consented,
        "text": consent.text,
        "language": consent.language,
        "version": consent.version,
        "created": wire.show_date(consent.created_at, api.timezone),
        "modified": wire.show_date(consent.updated_at, api.timezone),
    }


def consent_inputs(given: list[BodyConsent] | None) -> list[customers.ConsentInput]:
    """``[{key, consented, version?, language?}]`` (``name`` and ``text`` are taken too when given)."""
    found = []
    for index, consent in enumerate(given or []):
        extra = consent.model_extra or {}
        consented = wire.flag(consent.consented, f"consents.{index}.consented")
        if consented is None:
            raise ValidationFailed("required", field=f"consents.{index}.consented")
        found.append(
            customers.ConsentInput(
                key=wire.text(consent.key, f"consents.{index}.key", limit=customers.KEY_LIMIT) or "",
                consented=bool(consented),
                name=wire.text(extra.get("name"), f"consents.{index}.name", limit=255),
                text=wire.text(extra.get("text"), f"consents.{index}.text", limit=10000),
                version=wire.text(consent.version, f"consents.{index}.version", limit=32),
                language=wire.text(consent.language, f"consents.{index}.language", limit=16),
            )
        )
    return found


def customer_json(
    api: OrderApi, customer: customers.CustomerView, given: list[customers.ConsentView] | None = None
) -> dict[str, Any]:
    tz = api.timezone
    return {
        "customerId": str(customer.id),
        "email": customer.email,
        "firstName": customer.first_name or "",
        "lastName": customer.last_name or "",
        "address1": customer.address1 or "",
        "address2": customer.address2 or "",
        "zipCode": customer.zip_code or "",
        "city": customer.city or "",
        "state": customer.state or "",
        "country": customer.country or "",
        "phoneNumber": customer.phone_number or "",
        "newsletter": customer.newsletter,
        "gender": customer.gender or "",
        "registered": customer.registered,
        "consents": [consent_json(api, consent) for consent in given or []],
        "created": wire.show_date(customer.created_at, tz),
        "modified": wire.show_date(customer.updated_at, tz),
    }


async def _visible(api: OrderApi, customer_id: str) -> customers.CustomerView:
    identifier = wire.optional_integer(customer_id, "customerId", minimum=1)
    customer = None if identifier is None else await customers.find_customer_view(api.db, identifier)
    if customer is None or customer.store_id not in api.store_ids or customer.anonymized_at is not None:
        raise NotFound(NOT_FOUND, field="customer")
    return customer


@router.get("/customers", responses=DOCUMENTED)
async def list_customers(
    request: Request,
    limit: str | None = None,
    offset: str | None = None,
    email: str | None = None,
    created: str | None = None,
    modified: str | None = None,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Customers of the plugin's stores, oldest first; ``created``/``modified`` are lower bounds."""
    size, start = page(limit, offset, default=100)
    where = customers.CustomerFilter(
        store_ids=api.store_ids,
        email=TextMatch(equals=email.strip().lower()) if email else None,
        created=Between(start=wire.optional_when(created, "created", api.timezone)),
        updated=Between(start=wire.optional_when(modified, "modified", api.timezone)),
        include_anonymized=False,
    )
    found = await customers.customer_page_with_consents(api.db, where, (), Window(size, start))
    return respond(request, ok(customers=[customer_json(api, c, given) for c, given in found]))


@router.get("/customers/{customer_id}", responses=DOCUMENTED)
async def get_customer(
    request: Request,
    customer_id: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    customer = await _visible(api, customer_id)
    given = await customers.consents_of(api.db, [customer.id])
    return respond(request, ok(customer=customer_json(api, customer, given[customer.id])))


@router.put("/customers/{customer_id}", responses=DOCUMENTED)
async def update_customer(
    request: Request,
    customer_id: str,
    body: CustomerUpdate,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Change names, the address, phone, gender, newsletter and email, all in one transaction."""
    ask_xml(request, body.xml)
    customer = await _visible(api, customer_id)
    address = Address(
        address1=wire.text(body.address1, "address1", limit=200),
        address2=wire.text(body.address2, "address2", limit=200),
        zip_code=wire.text(body.zipCode, "zipCode", limit=32),
        city=wire.text(body.city, "city", limit=100),
        state=wire.text(body.state, "state", limit=100),
        country=(wire.text(body.country, "country", limit=2) or "").upper() or None,
        phone_number=wire.text(body.phoneNumber, "phoneNumber", limit=50),
    )
    changes = customers.CustomerChanges(
        first_name=wire.text(body.firstName, "firstName", limit=100),
        last_name=wire.text(body.lastName, "lastName", limit=100),
        gender=wire.text(body.gender, "gender", limit=16),
        newsletter=wire.flag(body.newsletter, "newsletter"),
    )
    answers = consent_inputs(body.consents)
    async with api.db.atomic() as tx:
        await customers.update_details(tx, customer.id, changes)
        await customers.update_address(tx, customer.id, address)
        if body.email:
            await customers.change_email(tx, customer.id, body.email)
        await customers.record_consents(tx, customer.id, answers)
        updated = await customers.find_customer_view(tx, customer.id)
        given = await customers.consents_of(tx, [customer.id])
    assert updated is not None  # updated in this transaction
    return respond(request, ok(customer=customer_json(api, updated, given[customer.id])))


@router.put("/anonymize-customer/{customer_id}", responses=DOCUMENTED)
async def anonymize_customer(
    request: Request,
    customer_id: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Erase the customer's personal data, irreversibly; orders and invoices stay."""
    identifier = wire.optional_integer(customer_id, "customerId", minimum=1)
    customer = None if identifier is None else await customers.find_customer_view(api.db, identifier)
    if customer is None or customer.store_id not in api.store_ids:
        return failure(request, NOT_FOUND)
    try:
        await orders.anonymize_customer(api.db, customer.id)
    except Conflict:
        return failure(request, "The personal data was already anonymized.")
    return respond(request, ok(msg="The personal data has been anonymized."))
