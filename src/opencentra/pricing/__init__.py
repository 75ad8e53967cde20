"""Pricing: prices, campaigns, price alterations, vouchers and the totals they make.

The voucher use cases every API calls are importable from here:
``create_voucher``, ``clone_voucher`` (one transaction, all or nothing) and
``voucher_view``; the clone and the read return a ``VoucherView``. The
other modules (``prices``, ``campaigns``, ``alterations``, ``totals``...)
are imported by name for now.
"""

from opencentra.pricing.models import VoucherType
from opencentra.pricing.vouchers import (
    UnknownMarkets,
    VoucherSpec,
    VoucherView,
    clone_voucher,
    create_voucher,
    voucher_view,
)

__all__ = [
    "UnknownMarkets",
    "VoucherSpec",
    "VoucherType",
    "VoucherView",
    "clone_voucher",
    "create_voucher",
    "voucher_view",
]
