"""customers domain.

The public face: customers read as ``CustomerView`` (one by id, many by id,
a filtered page and its count) with their consents (``ConsentView``), and the
use cases that change them: details, address, email, consents. Other use
cases are imported from ``customers.services`` by name for now.
"""

from opencentra.customers.consents import KEY_LIMIT, ConsentInput, record_consents
from opencentra.customers.services import (
    CustomerChanges,
    change_email,
    ensure_guest_customer,
    get_customer,
    update_address,
    update_details,
)
from opencentra.customers.views import (
    ConsentView,
    CustomerFilter,
    CustomerView,
    consents_of,
    customer_count,
    customer_page,
    customer_page_with_consents,
    customers_by_id,
    find_customer_view,
)

__all__ = [
    "KEY_LIMIT",
    "ConsentInput",
    "ConsentView",
    "CustomerChanges",
    "CustomerFilter",
    "CustomerView",
    "change_email",
    "consents_of",
    "customer_count",
    "customer_page",
    "customer_page_with_consents",
    "customers_by_id",
    "ensure_guest_customer",
    "find_customer_view",
    "get_customer",
    "record_consents",
    "update_address",
    "update_details",
]
