"""Other domains' tables that pricing reads, addressed by name.

Lightweight table clauses keep pricing from importing the stores package's
models, which are written and migrated separately.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, column, table

stores = table("stores", column("id", Integer))
currencies = table("currencies", column("id", Integer), column("code", String), column("decimals", Integer))
pricelists = table(
    "pricelists",
    column("id", Integer),
    column("store_id", Integer),
    column("currency_id", Integer),
    column("active", Boolean),
)
