"""orders domain.

The public face: an order's amounts (totals, and VAT per line and per rate)
as every API reports them, and the same for its shipments and returns; and
the use cases: ``orders.orders`` (create, read, status transitions),
``orders.shipments``, ``orders.payments`` (capture, refund),
``orders.returns``, ``orders.intake`` (orders an ERP or POS inserts),
``orders.editing`` (changing a placed order) and ``orders.privacy`` (erasing
a customer's personal data). Adapters import from here; the modules behind it
import each other directly.
"""

from opencentra.orders.editing import (
    LineAdd,
    LineCancel,
    OrderEdit,
    delete_return,
    edit_order,
    release_remaining_authorization,
    set_orders_lock,
    unallocate_order,
)
from opencentra.orders.intake import (
    Completion,
    IntakeLine,
    IntakeOrder,
    PaymentRecord,
    complete_external_order,
    create_external_order,
    insert_external_order,
)
from opencentra.orders.orders import (
    LineDraft,
    OrderDraft,
    archive_order,
    cancel_order,
    complete_order,
    confirm_order,
    create_order,
    get_order,
    get_order_by_number,
    insert_order,
    place_order_in,
    set_hold,
    set_waiting_for_payment,
    update_notes,
)
from opencentra.orders.payments import Capture, capture_shipment, refund_order
from opencentra.orders.privacy import anonymize_customer
from opencentra.orders.returns import ReturnAmounts, complete_return, create_return, refund_return, reopen_return
from opencentra.orders.shipments import (
    ShipInfo,
    complete_shipment,
    create_shipment,
    delete_shipment,
    set_good_to_go,
    update_shipment,
)
from opencentra.orders.views import (
    DocumentTax,
    LineTax,
    OrderAmounts,
    RateTax,
    charged_units,
    order_amounts,
    return_tax,
    shipment_tax,
)

__all__ = [
    "Capture",
    "Completion",
    "DocumentTax",
    "IntakeLine",
    "IntakeOrder",
    "LineAdd",
    "LineCancel",
    "LineDraft",
    "LineTax",
    "OrderAmounts",
    "OrderDraft",
    "OrderEdit",
    "PaymentRecord",
    "RateTax",
    "ReturnAmounts",
    "ShipInfo",
    "anonymize_customer",
    "archive_order",
    "cancel_order",
    "capture_shipment",
    "charged_units",
    "complete_external_order",
    "complete_order",
    "complete_return",
    "complete_shipment",
    "confirm_order",
    "create_external_order",
    "create_order",
    "create_return",
    "create_shipment",
    "delete_return",
    "delete_shipment",
    "edit_order",
    "get_order",
    "get_order_by_number",
    "insert_external_order",
    "insert_order",
    "order_amounts",
    "place_order_in",
    "refund_order",
    "refund_return",
    "release_remaining_authorization",
    "reopen_return",
    "return_tax",
    "set_good_to_go",
    "set_hold",
    "set_orders_lock",
    "set_waiting_for_payment",
    "shipment_tax",
    "unallocate_order",
    "update_notes",
    "update_shipment",
]
