"""The demo seed has one fixed and one flexible bundle, sellable from their components' stock."""

from __future__ import annotations

from sqlalchemy import select

from opencentra.catalog import bundles
from opencentra.catalog.bundle_models import Bundle
from opencentra.db.engine import Database
from opencentra.demo import seed
from opencentra.inventory import services as inventory
from opencentra.stores.models import Market


async def test_the_demo_has_a_fixed_and_a_flexible_bundle(db: Database) -> None:
    await seed.seed_demo(db)
    await seed.seed_demo(db)  # idempotent: still two bundles
    async with db.read() as session:
        found = list(await session.scalars(select(Bundle).order_by(Bundle.id)))
        assert [(b.type, b.price_type, b.discount_bp) for b in found] == [
            ("fixed", "static", 0),
            ("flexible", "dynamic", 1500),
        ]
        needs = await bundles.needs_for_sizes(session, None)
        nordics = await session.scalar(select(Market.id).where(Market.name == "Nordics"))
    assert nordics is not None
    units = await inventory.available_for_market(db, nordics, needs)
    assert len(units) == len(needs) >= 2
    assert all(value > 0 for value in units.values())
