"""Imports every domain's models so ``Base.metadata`` knows the whole schema.

Alembic's env, ``Database`` (so every mapper exists before a flush) and the
test fixtures import this module; domain code imports its own models.
"""

from opencentra.catalog import bundle_models as bundles
from opencentra.catalog import models as catalog
from opencentra.catalog import pim_models as pim
from opencentra.customers import models as customers
from opencentra.db.base import Base
from opencentra.events import models as events
from opencentra.giftcards import models as giftcards
from opencentra.integration import admin_models as admin
from opencentra.integration import models as integration
from opencentra.integration import soap_log_models as soap_log
from opencentra.inventory import models as inventory
from opencentra.orders import models as orders
from opencentra.pricing import alteration_models as price_alterations
from opencentra.pricing import history_models as price_history
from opencentra.pricing import models as pricing
from opencentra.selection import models as selection
from opencentra.stores import models as stores
from opencentra.stores import shipping_defaults as pricelist_shipping_defaults
from opencentra.stores import warehouse_settings
from opencentra.subscriptions import models as subscriptions
from opencentra.suppliers import models as suppliers
from opencentra.webhooks import models as webhooks
from opencentra.wholesale import models as wholesale
from opencentra.wholesale import terms_models as wholesale_terms

metadata = Base.metadata

__all__ = [
    "Base",
    "admin",
    "bundles",
    "catalog",
    "customers",
    "events",
    "giftcards",
    "integration",
    "inventory",
    "metadata",
    "orders",
    "pim",
    "price_alterations",
    "price_history",
    "pricelist_shipping_defaults",
    "pricing",
    "selection",
    "soap_log",
    "stores",
    "subscriptions",
    "suppliers",
    "warehouse_settings",
    "webhooks",
    "wholesale",
    "wholesale_terms",
]
