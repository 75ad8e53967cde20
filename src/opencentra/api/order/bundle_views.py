"""Bundle lines in Order API ``products[]``, by the plugin's "Bundles in orders/shipments" mode.

An order keeps a bundle as its own line (no stock, price 0) and one line per
component (stock, a share of the bundle price in proportion to its own
price). The four modes show that as Centra documents:

1. only the component lines, each ``isPartOfBundle: "<bundle line id>"``;
2. the bundle line (``isBundle: true``, the bundle price, ``originalPrice`` what
   its components cost on their own) with its components nested in ``bundle``;
3. only the bundle line, ``price`` 0 and ``originalPrice`` the bundle price;
4. the bundle line as in 3 and its component lines beside it.

A shipment holds component lines (they carry the stock); its bundle line is
shown with as many bundles as the shipped components make.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opencentra.integration import BundleMode
from opencentra.orders import OrderDetails, OrderLineRecord

# render(line, quantity, unit price, original unit price) -> the product entry
Render = Callable[[OrderLineRecord, int, int | None, int | None], dict[str, Any]]


def arrange(
    entries: Sequence[tuple[OrderLineRecord, int]], details: OrderDetails, mode: BundleMode, render: Render
) -> list[dict[str, Any]]:
    info = details.bundles
    if not info.bundles:
        return [render(line, qty, None, None) for line, qty in entries]
    by_id = {line.id: line for line in details.order.lines}
    groups: dict[int, list[tuple[OrderLineRecord, int]]] = {}
    bundle_qty: dict[int, int] = {}
    slots: list[tuple[OrderLineRecord, int] | int] = []
    for line, qty in entries:
        parent = line.id if line.id in info.bundles else info.part_of.get(line.id)
        if parent is None or parent not in by_id:
            slots.append((line, qty))
            continue
        if parent not in groups:
            groups[parent] = []
            slots.append(parent)
        if parent == line.id:
            bundle_qty[parent] = qty
        else:
            groups[parent].append((line, qty))
    products: list[dict[str, Any]] = []
    for slot in slots:
        if not isinstance(slot, int):
            products.append(render(slot[0], slot[1], None, None))
            continue
        bundle_line = by_id[slot]
        _bundle_id, price, original = info.bundles[slot]
        components = [render(line, qty, None, None) for line, qty in groups[slot]]
        shipped = max((q // info.per_bundle.get(line.id, 1) for line, q in groups[slot]), default=0) or 1
        qty = bundle_qty.get(slot, shipped)
        if mode == BundleMode.ONLY_CONTAINING_ITEMS:
            products.extend(components)
        elif mode == BundleMode.CONTAINING_ITEMS_IN_BUNDLES:
            products.append({**render(bundle_line, qty, price, original), "bundle": components})
        elif mode == BundleMode.ONLY_BUNDLES:
            products.append(render(bundle_line, qty, 0, price))
        else:
            products.append(render(bundle_line, qty, 0, price))
            products.extend(components)
    return products
