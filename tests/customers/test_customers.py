from __future__ import annotations

import asyncio

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from opencentra.address import Address
from opencentra.customers import services
from opencentra.customers.consents import ConsentInput, record_consents_in
from opencentra.customers.models import Customer, CustomerConsent, NewsletterSubscription
from opencentra.customers.subscriptions import subscribe_newsletter
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import services as events
from opencentra.orders import anonymize_customer


async def _events(db: Database) -> list[tuple[str, int, str]]:
    await events.register_consumer(db, "test", include_history=True)
    return [(e.object_type, e.object_id, e.action) for e in await events.pending(db, "test")]


async def test_register_stores_a_lowercased_email_and_an_argon2id_hash(db: Database, store_id: int) -> None:
    customer = await services.register(
        db, store_id, "  Ada@Example.COM ", "secret", address=Address(first_name="Ada", country="se"), newsletter=True
    )
    assert customer.email == "ada@example.com"
    assert customer.registered
    assert customer.newsletter
    assert customer.password_hash is not None
    assert customer.password_hash.startswith("$argon2id$")
    assert (customer.first_name, customer.country) == ("Ada", "SE")
    assert await _events(db) == [("customer", customer.id, "created")]


async def test_register_validates_password_length_and_email(db: Database, store_id: int) -> None:
    for password in ["abc", "x" * 129]:
        with pytest.raises(ValidationFailed) as caught:
            await services.register(db, store_id, "a@example.com", password)
        assert caught.value.field == "password"
    for email in ["", "no-at-sign", "a@b", "two@@example.com", "sp ace@example.com"]:
        with pytest.raises(ValidationFailed) as caught:
            await services.register(db, store_id, email, "secret")
        assert caught.value.field == "email"
    await services.register(db, store_id, "short@example.com", "abcd")
    await services.register(db, store_id, "long@example.com", "y" * 128)
    assert (await services.authenticate(db, store_id, "long@example.com", "y" * 128)).email == "long@example.com"


async def test_registering_an_email_twice_is_a_conflict(db: Database, store_id: int) -> None:
    await services.register(db, store_id, "ada@example.com", "secret")
    with pytest.raises(Conflict) as caught:
        await services.register(db, store_id, "ADA@example.com", "other")
    assert (caught.value.field, caught.value.message) == ("email", "already registered")


async def test_concurrent_registrations_of_one_email_register_once(db: Database, store_id: int) -> None:
    results = await asyncio.gather(
        *(services.register(db, store_id, "race@example.com", f"secret{n}") for n in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Customer) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Customer))


async def test_registering_a_guest_email_upgrades_the_guest_customer(db: Database, store_id: int) -> None:
    async with db.write() as session:
        guest = await services.ensure_guest_customer(
            session, store_id, "Guest@Example.com", address=Address(first_name="Gus", city="Malmö")
        )
    assert not guest.registered
    assert guest.password_hash is None
    customer = await services.register(db, store_id, "guest@example.com", "secret", address=Address(last_name="Doe"))
    assert customer.id == guest.id
    assert customer.registered
    # Registering proves nothing about the email: the guest's details are not the account's.
    assert (customer.first_name, customer.last_name, customer.city) == (None, "Doe", None)
    assert customer.email_verified_at is None
    assert await _events(db) == [("customer", guest.id, "created"), ("customer", guest.id, "updated")]


async def test_same_email_in_another_store_is_another_customer(db: Database, store_id: int) -> None:
    from opencentra.stores.models import Store

    async with db.write() as session:
        other = Store(name="Wholesale")
        session.add(other)
        await session.flush()
        other_id = other.id
    a = await services.register(db, store_id, "ada@example.com", "secret")
    b = await services.register(db, other_id, "ada@example.com", "secret")
    assert a.id != b.id


async def test_authenticate(db: Database, store_id: int) -> None:
    registered = await services.register(db, store_id, "ada@example.com", "secret")
    assert (await services.authenticate(db, store_id, "ADA@example.com ", "secret")).id == registered.id


async def test_every_failed_sign_in_looks_the_same(db: Database, store_id: int) -> None:
    await services.register(db, store_id, "ada@example.com", "secret")
    async with db.write() as session:
        await services.ensure_guest_customer(session, store_id, "guest@example.com")
    attempts = [
        ("ada@example.com", "wrong"),
        ("nobody@example.com", "secret"),
        ("guest@example.com", "secret"),
        ("bad", "x"),
        ("ada@example.com", "s" * 500),
    ]
    for email, password in attempts:
        with pytest.raises(ValidationFailed) as caught:
            await services.authenticate(db, store_id, email, password)
        assert (caught.value.field, caught.value.message) == ("password", "incorrect")


async def test_sign_in_upgrades_a_hash_made_with_old_parameters(
    db: Database, store_id: int, cheap_hashes: PasswordHasher
) -> None:
    customer = await services.register(db, store_id, "ada@example.com", "secret")
    old = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1).hash("secret")
    async with db.write() as session:
        row = await session.get(Customer, customer.id)
        assert row is not None
        row.password_hash = old
    signed_in = await services.authenticate(db, store_id, "ada@example.com", "secret")
    assert signed_in.password_hash != old
    stored = await services.get_customer(db, customer.id)
    assert stored.password_hash is not None
    assert not cheap_hashes.check_needs_rehash(stored.password_hash)
    assert cheap_hashes.verify(stored.password_hash, "secret")


async def test_change_password(db: Database, store_id: int) -> None:
    customer = await services.register(db, store_id, "ada@example.com", "secret")
    with pytest.raises(ValidationFailed) as caught:
        await services.change_password(db, customer.id, "wrong", "newsecret")
    assert caught.value.field == "password"
    with pytest.raises(ValidationFailed):
        await services.change_password(db, customer.id, "secret", "new")
    await services.change_password(db, customer.id, "secret", "newsecret")
    await services.authenticate(db, store_id, "ada@example.com", "newsecret")
    with pytest.raises(ValidationFailed):
        await services.authenticate(db, store_id, "ada@example.com", "secret")
    await services.set_password(db, customer.id, "reset-pass")
    await services.authenticate(db, store_id, "ada@example.com", "reset-pass")


async def test_update_details_and_address(db: Database, store_id: int) -> None:
    customer = await services.register(db, store_id, "ada@example.com", "secret", address=Address(city="Lund"))
    updated = await services.update_details(
        db, customer.id, services.CustomerChanges(first_name="Ada", newsletter=True)
    )
    assert (updated.first_name, updated.newsletter) == ("Ada", True)
    moved = await services.update_address(db, customer.id, Address(address1="Storgatan 1", country="us"))
    assert (moved.address1, moved.city, moved.country, moved.first_name) == ("Storgatan 1", "Lund", "US", "Ada")
    with pytest.raises(ValidationFailed) as caught:
        await services.update_address(db, customer.id, Address(country="XX"))
    assert caught.value.field == "country"
    # No change, no event.
    await services.update_details(db, customer.id, services.CustomerChanges(first_name="Ada"))
    assert [action for _, _, action in await _events(db)] == ["created", "updated", "updated"]


async def test_change_email(db: Database, store_id: int) -> None:
    ada = await services.register(db, store_id, "ada@example.com", "secret")
    await services.register(db, store_id, "bob@example.com", "secret")
    with pytest.raises(Conflict) as caught:
        await services.change_email(db, ada.id, "BOB@example.com")
    assert caught.value.field == "email"
    assert (await services.change_email(db, ada.id, "Ada.L@example.com")).email == "ada.l@example.com"
    await services.authenticate(db, store_id, "ada.l@example.com", "secret")


async def test_ensure_guest_customer_reuses_the_customer(db: Database, store_id: int) -> None:
    registered = await services.register(db, store_id, "ada@example.com", "secret")
    async with db.write() as session:
        first = await services.ensure_guest_customer(session, store_id, "new@example.com")
        again = await services.ensure_guest_customer(session, store_id, "NEW@example.com")
        existing = await services.ensure_guest_customer(session, store_id, "ada@example.com")
    assert first.id == again.id
    assert existing.id == registered.id
    assert existing.registered
    assert [(t, a) for t, _, a in await _events(db)] == [("customer", "created"), ("customer", "created")]


async def test_concurrent_guest_checkouts_of_a_new_email_make_one_customer(db: Database, store_id: int) -> None:
    async def checkout() -> int:
        async with db.write() as session:
            return (await services.ensure_guest_customer(session, store_id, "new@example.com")).id

    ids = await asyncio.gather(*(checkout() for _ in range(4)))
    assert len(set(ids)) == 1


async def test_anonymize(db: Database, store_id: int) -> None:
    customer = await services.register(
        db, store_id, "ada@example.com", "secret", address=Address(first_name="Ada", city="Lund", country="SE")
    )
    anonymized = await anonymize_customer(db, customer.id)
    assert anonymized.email == f"anonymized-{customer.id}@anonymized.invalid"
    assert (anonymized.first_name, anonymized.city, anonymized.country) == (None, None, "SE")
    assert anonymized.password_hash is None
    assert not anonymized.registered
    with pytest.raises(ValidationFailed):
        await services.authenticate(db, store_id, "ada@example.com", "secret")
    with pytest.raises(Conflict):
        await anonymize_customer(db, customer.id)
    with pytest.raises(NotFound):
        await services.get_customer(db, customer.id)
    with pytest.raises(NotFound):
        await anonymize_customer(db, customer.id + 100)
    # The email is free again.
    again = await services.register(db, store_id, "ada@example.com", "secret")
    assert again.id != customer.id


async def test_anonymize_erases_sign_ups_and_consents(db: Database, store_id: int) -> None:
    customer = await services.register(db, store_id, "grace@example.com", "secret")
    await subscribe_newsletter(db, store_id, "grace@example.com")
    async with db.write() as session:
        await record_consents_in(session, customer.id, [ConsentInput(key="marketing", consented=True)])
    await anonymize_customer(db, customer.id)
    async with db.read() as session:
        for model in (NewsletterSubscription, CustomerConsent):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
