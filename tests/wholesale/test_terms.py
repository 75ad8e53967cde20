"""Payment terms, shipping terms and sales representatives, and the terms an account uses (both backends)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.stores.models import Market, Store, StoreType
from opencentra.wholesale import services as wholesale
from opencentra.wholesale import terms
from opencentra.wholesale.models import Account
from opencentra.wholesale.terms_models import PaymentTerms, SalesRepresentative, ShippingTerms


@pytest.fixture
async def market_id(db: Database) -> int:
    async with db.write() as session:
        store = Store(name="Wholesale", type=StoreType.WHOLESALE)
        session.add(store)
        await session.flush()
        market = Market(store_id=store.id, name="B2B")
        session.add(market)
        await session.flush()
        return market.id


async def _events(db: Database, kind: str) -> list[tuple[str, dict[str, object]]]:
    async with db.read() as session:
        rows = await session.scalars(select(Event).where(Event.object_type == kind).order_by(Event.id))
        return [(e.action, e.payload) for e in rows]


async def _count(db: Database, model: type[object]) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_terms_create_and_update_with_events(db: Database) -> None:
    net30 = await terms.create_terms(
        db, PaymentTerms, terms.TermsInput(name=" 30 Net ", description="Pay in 30 days", due_days=30)
    )
    assert (net30.name, net30.description, net30.due_days) == ("30 Net", "Pay in 30 days", 30)
    updated = await terms.update_terms(db, PaymentTerms, net30.id, terms.TermsInput(due_days=45))
    assert (updated.name, updated.due_days) == ("30 Net", 45)
    works = await terms.create_terms(db, ShippingTerms, terms.TermsInput(name="Ex. Works"))
    assert (works.description, works.due_days) == ("", 0)
    rep = await terms.create_sales_representative(
        db, terms.SalesRepresentativeInput(name="Rita", email="rita@example.com", commission_percent=Decimal("12.5"))
    )
    assert rep.commission_bp == 1250
    rep = await terms.update_sales_representative(db, rep.id, terms.SalesRepresentativeInput(email=""))
    assert (rep.email, rep.commission_bp) == (None, 1250)
    assert [a for a, _ in await _events(db, terms.PAYMENT_TERMS_EVENT)] == ["created", "updated"]
    assert [a for a, _ in await _events(db, terms.SHIPPING_TERMS_EVENT)] == ["created"]
    assert [a for a, _ in await _events(db, terms.SALES_REPRESENTATIVE_EVENT)] == ["created", "updated"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (terms.TermsInput(), "name"),
        (terms.TermsInput(name="   "), "name"),
        (terms.TermsInput(name="x" * 256), "name"),
        (terms.TermsInput(name="A", due_days=-1), "dueDays"),
        (terms.TermsInput(name="A", description="d" * 1001), "description"),
    ],
)
async def test_bad_terms_are_refused_and_nothing_is_written(db: Database, given: terms.TermsInput, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await terms.create_terms(db, ShippingTerms, given)
    assert refused.value.field == field
    assert await _count(db, ShippingTerms) == 0
    assert await _events(db, terms.SHIPPING_TERMS_EVENT) == []


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (terms.SalesRepresentativeInput(), "name"),
        (terms.SalesRepresentativeInput(name="R", email="not-an-email"), "email"),
        (terms.SalesRepresentativeInput(name="R", commission_percent=Decimal("100.01")), "commissionPercent"),
        (terms.SalesRepresentativeInput(name="R", commission_percent=Decimal("1.234")), "commissionPercent"),
    ],
)
async def test_bad_sales_representatives_are_refused(
    db: Database, given: terms.SalesRepresentativeInput, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await terms.create_sales_representative(db, given)
    assert refused.value.field == field
    assert await _count(db, SalesRepresentative) == 0


async def test_updating_unknown_terms_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        await terms.update_terms(db, PaymentTerms, 404, terms.TermsInput(name="X"))
    with pytest.raises(NotFound):
        await terms.update_sales_representative(db, 404, terms.SalesRepresentativeInput(name="X"))
    assert await _events(db, terms.PAYMENT_TERMS_EVENT) == []


async def test_an_account_uses_terms_a_representative_and_a_carrier(db: Database, market_id: int) -> None:
    net30 = await terms.create_terms(db, PaymentTerms, terms.TermsInput(name="30 Net"))
    works = await terms.create_terms(db, ShippingTerms, terms.TermsInput(name="Ex. Works"))
    rep = await terms.create_sales_representative(db, terms.SalesRepresentativeInput(name="Rita"))
    account = await wholesale.create_account(
        db,
        wholesale.AccountInput(
            name="Shop",
            market_id=market_id,
            terms=terms.AccountTermsInput(
                payment_terms_id=net30.id,
                shipping_terms_id=works.id,
                carrier=terms.CarrierInput(name="DHL", service="Express", account="123", tax_id="SE1"),
            ),
        ),
    )
    assert (account.payment_terms_id, account.shipping_terms_id, account.sales_representative_id) == (
        net30.id,
        works.id,
        None,
    )
    assert (account.carrier_name, account.carrier_service, account.carrier_account, account.carrier_tax_id) == (
        "DHL",
        "Express",
        "123",
        "SE1",
    )
    account = await terms.set_account_terms(
        db, account.id, terms.AccountTermsInput(sales_representative_id=rep.id, payment_terms_id=0)
    )
    assert (account.payment_terms_id, account.shipping_terms_id, account.sales_representative_id) == (
        None,
        works.id,
        rep.id,
    )
    # Through update_account too; an empty carrier text clears it.
    account = await wholesale.update_account(
        db, account.id, wholesale.AccountInput(terms=terms.AccountTermsInput(carrier=terms.CarrierInput(name="")))
    )
    assert (account.carrier_name, account.carrier_service) == (None, "Express")
    actions = [(a, p.get("sales_representative_id")) for a, p in await _events(db, "account")]
    assert actions[:2] == [("created", None), ("updated", rep.id)]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (terms.AccountTermsInput(payment_terms_id=404), "paymentTerms"),
        (terms.AccountTermsInput(shipping_terms_id=404), "shippingTerms"),
        (terms.AccountTermsInput(sales_representative_id=404), "salesRepresentative"),
    ],
)
async def test_unknown_terms_on_an_account_change_nothing(
    db: Database, market_id: int, given: terms.AccountTermsInput, field: str
) -> None:
    account = await wholesale.create_account(db, wholesale.AccountInput(name="Shop", market_id=market_id))
    with pytest.raises(NotFound) as refused:
        await wholesale.update_account(db, account.id, wholesale.AccountInput(name="Renamed", terms=given))
    assert refused.value.field == field
    async with db.read() as session:
        row = await session.get(Account, account.id)
        assert row is not None and row.name == "Shop"
    with pytest.raises(NotFound):
        await wholesale.create_account(db, wholesale.AccountInput(name="Other", market_id=market_id, terms=given))
    assert await _count(db, Account) == 1
    assert [a for a, _ in await _events(db, "account")] == ["created"]


async def test_carrier_text_too_long_is_refused(db: Database, market_id: int) -> None:
    account = await wholesale.create_account(db, wholesale.AccountInput(name="Shop", market_id=market_id))
    with pytest.raises(ValidationFailed) as refused:
        await terms.set_account_terms(
            db, account.id, terms.AccountTermsInput(carrier=terms.CarrierInput(tax_id="x" * 65))
        )
    assert refused.value.field == "carrierInformation.taxId"
