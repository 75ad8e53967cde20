"""Imports every domain's models so ``Base.metadata`` knows the whole schema.

Alembic's env and the test fixtures import this module; nothing else should.
"""

from opencentra.catalog import models as catalog
from opencentra.customers import models as customers
from opencentra.db.base import Base
from opencentra.events import models as events
from opencentra.integration import models as integration
from opencentra.inventory import models as inventory
from opencentra.orders import models as orders
from opencentra.pricing import models as pricing
from opencentra.selection import models as selection
from opencentra.stores import models as stores
from opencentra.suppliers import models as suppliers

metadata = Base.metadata

__all__ = [
    "Base",
    "catalog",
    "customers",
    "events",
    "integration",
    "inventory",
    "metadata",
    "orders",
    "pricing",
    "selection",
    "stores",
    "suppliers",
]
