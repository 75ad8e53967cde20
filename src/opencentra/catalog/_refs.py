"""Other domains' tables that the catalogue reads, addressed by name.

Lightweight table clauses keep the catalogue from importing the stores
package's models, which are written and migrated separately.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, column, table

stores = table("stores", column("id", Integer))
markets = table("markets", column("id", Integer), column("store_id", Integer), column("active", Boolean))
tax_groups = table("tax_groups", column("id", Integer))
