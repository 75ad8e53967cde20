"""products_Update keeps brand, collection, folder and comment; what it cannot keep it names in a notice."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.soap.soapkit import erp_setup, internal, soap_client
from tests.api.soap.test_soap_api import push_catalog

from opencentra import catalog


@pytest.fixture
def erp(api: Any) -> dict[str, Any]:
    return api.call(erp_setup)  # type: ignore[no-any-return]


async def _links(db: Any, product_id: int) -> dict[str, Any]:
    async with db.read() as session:
        product = (await catalog.products_by_id(session, [product_id]))[product_id]
        folder_id = (await catalog.folder_ids_of_products(session, [product_id])).get(product_id)
        folders = await catalog.folders_by_id(session, [folder_id] if folder_id else [])
        brands = await catalog.brands_by_id(session, [product.brand_id] if product.brand_id else [])
        collections = await catalog.collections_by_id(session, [product.collection_id] if product.collection_id else [])
    folder = folders.get(folder_id) if folder_id else None
    return {
        "brand": brands[product.brand_id].name if product.brand_id else None,
        "collection": collections[product.collection_id].name if product.collection_id else None,
        "folder": (folder.name, folder.parent_id is not None) if folder else None,
        "comment": product.comment,
    }


def test_brand_collection_folder_as_in_the_cookbook(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    product = {
        "id": "T001",
        "folder": {"description": "Sweaters / Turtleneck"},
        "brand": {"id": "Example", "description": "Example Brand"},
        "collection": {"id": "XMAS", "description": "X-Mas"},
        "comment": "Wash cold",
    }
    result = client.service.products_Update(login=login, products={"product": [product]})
    assert result.success is True, result
    assert result.notices.message == [
        "Added new brand: Example",
        "Added new collection: XMAS",
        "Added new folder: Sweaters",
        "Added new folder: Sweaters / Turtleneck",
    ]
    product_id = api.call(internal, "product", "T001")
    assert api.call(_links, product_id) == {
        "brand": "Example Brand",
        "collection": "X-Mas",
        "folder": ("Turtleneck", True),
        "comment": "Wash cold",
    }
    # The same names again find the same objects, and say nothing; a product without them keeps them.
    again = client.service.products_Update(login=login, products={"product": [product]})
    assert again.success is True and not again.notices, again
    client.service.products_Update(login=login, products={"product": [{"id": "T001", "description": "Roll"}]})
    assert api.call(_links, product_id)["brand"] == "Example Brand"
    # A new product is created with them.
    chair = {
        "id": "PWC",
        "description": "Chair",
        "brand": {"id": "Example"},
        "folder": {"description": "Furniture"},
        "variations": {"variation": [{"id": "PWC", "sizetable": {"id": "SML"}}]},
    }
    result = client.service.products_Update(login=login, products={"product": [chair]})
    assert result.success is True and result.notices.message == ["Added new folder: Furniture"], result
    links = api.call(_links, api.call(internal, "product", "PWC"))
    assert (links["brand"], links["folder"]) == ("Example Brand", ("Furniture", False))
    unknown = client.service.products_Update(login=login, products={"product": [{"id": "PWC", "folder": {"id": "F9"}}]})
    assert unknown.success is False and "(folder)" in unknown.errors.message[0]


def test_what_is_not_kept_is_named_in_a_notice(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    size = {"id": "S", "preorder": "no", "warehouseitems": {"warehouse": [{"id": "WH1", "qty": "4", "cog": "10"}]}}
    variation = {
        "id": "T001_RED",
        "cog": "12.50",
        "displays": {"display": [{"store": str(erp["store"]), "minimumorderamount": "1"}]},
        "sizes": {"size": [size]},
    }
    product = {
        "id": "T001",
        "variations": {"variation": [variation]},
        "media": {"image": [{"id": "1", "image": "https://example.com/a.jpg"}]},
        "metadata": {"storemeta": [{"shortdescription": "Warm", "store": str(erp["store"])}]},
    }
    result = client.service.products_Update(login=login, products={"product": [product]})
    assert result.success is True, result
    assert result.notices.message == [
        "product T001: media, metadata, variation/displays, variation/cog, size/preorder, warehouse/cog"
        " not kept by OpenCentra"
    ]
