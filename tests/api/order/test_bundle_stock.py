"""GET /stock for a bundle: figures derived from its components (both backends).

The kit is ``test_bundles``' fixed bundle of a jacket and a cap, both with
10 in Stockholm. A bundle's available is how many whole kits the components'
free stock fills, its physical how many their physical stock fills, and
allocated the difference.
"""

from __future__ import annotations

from tests.api.order.conftest import Wms, order_draft
from tests.api.order.test_bundles import Kit, kit  # noqa: F401 - the fixture

from opencentra import orders
from opencentra.inventory import services as inventory


def _kit_stock(wms: Wms) -> tuple[int, int, int]:
    [row] = wms.get("/stock", sku="KITSTD")["products"]
    return row["physicalStock"], row["allocatedStock"], row["availableStock"]


def test_a_bundle_shows_what_its_components_can_fill(wms: Wms, kit: Kit) -> None:  # noqa: F811
    world = wms.world
    assert _kit_stock(wms) == (10, 0, 10)
    # Three caps ordered on their own: 7 free, so 7 kits are available and 3 of the 10 are held.
    wms.api.call(orders.create_order, order_draft(world, (kit.cap, 3)))
    assert _kit_stock(wms) == (10, 3, 7)
    # Only 5 jackets left: the jacket limits both figures.
    wms.api.call(inventory.set_physical, world.stockholm, kit.jacket, 5)
    assert _kit_stock(wms) == (5, 0, 5)
    # The bundle's own stock rows stay empty.
    assert wms.levels(world.stockholm, kit.bundle_size) == (0, 0)
    # Components are listed with their own figures, unchanged by the bundle.
    [cap] = wms.get("/stock", sku="CAPSTD")["products"]
    assert (cap["physicalStock"], cap["allocatedStock"], cap["availableStock"]) == (10, 3, 7)


def test_a_bundle_out_of_a_component_has_none(wms: Wms, kit: Kit) -> None:  # noqa: F811
    wms.api.call(inventory.set_physical, wms.world.stockholm, kit.cap, 0)
    assert _kit_stock(wms) == (0, 0, 0)
    as_xml = wms.api.client.get(wms.base + "/stock", params={"sku": "KITSTD", "xml": 1}, headers=wms.headers)
    assert "<availableStock>0</availableStock>" in as_xml.text
