"""PIM extras over GraphQL: folders, translations, media batches, charts, unit costs,
formatted dates, display prices, mapped attributes and ``{externalId}`` references."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501, UP031

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from tests.api.graphql.gqlkit import GraphQLClient, World

from opencentra.catalog import brands, folders, mapped_attributes, unit_costs
from opencentra.catalog.models import MeasurementChart, Media, Product, SizeChart
from opencentra.catalog.pim_models import Folder, MediaBatch, Translation
from opencentra.db.engine import Database
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.pricing.models import Price
from opencentra.stores.models import Language


async def _count(db: Database, model: Any) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _languages(db: Database) -> tuple[int, int]:
    async with db.write() as session:
        german, swedish = Language(code="de", name="German"), Language(code="sv", name="Swedish")
        session.add_all([german, swedish])
        await session.flush()
        return german.id, swedish.id


def _without(*permissions: str) -> list[str]:
    return [p for p in ALL_PERMISSIONS if p not in permissions]


# --- folders ------------------------------------------------------------------------------------


def test_folders_create_nest_file_products_and_read_back(gql: GraphQLClient, world: World) -> None:
    first = gql.query(
        'mutation { createFolder(input: {name: "First folder", parent: null}) { folder { id name isTopFolder } userErrors { message } userWarnings { message } } }'
    )
    folder = first["data"]["createFolder"]["folder"]
    assert folder["name"] == "First folder" and folder["isTopFolder"] is True
    assert first["extensions"]["permissionsUsed"] == ["Folder:write"]
    second = gql.query(
        'mutation { createFolder(input: {name: "Second folder", parent: {id: %d}}) { folder { id isTopFolder parentFolder { id } } userErrors { message } } }'
        % folder["id"]
    )["data"]["createFolder"]["folder"]
    assert second["isTopFolder"] is False and second["parentFolder"] == {"id": folder["id"]}
    gql.api.call(folders.file_product, world.product_id, folder["id"])

    body = gql.query(
        '{ folders(where: {name: {contains: "First"}}) { id name isTopFolder childFolders { name } products { id name } } '
        "  top: folders(where: {isTopFolder: true}) { id } "
        "  product(id: %d) { folder { id name } } }" % world.product_id
    )
    assert body["data"]["folders"] == [
        {
            "id": folder["id"],
            "name": "First folder",
            "isTopFolder": True,
            "childFolders": [{"name": "Second folder"}],
            "products": [{"id": world.product_id, "name": "Tee"}],
        }
    ]
    assert body["data"]["top"] == [{"id": folder["id"]}]
    assert body["data"]["product"]["folder"] == {"id": folder["id"], "name": "First folder"}
    assert {"Folder:read", "Folder.Product:read", "Product.Folder:read"} <= set(body["extensions"]["permissionsUsed"])

    moved = gql.query(
        'mutation { updateFolder(id: %d, input: {name: "Renamed", parent: null}) { folder { name isTopFolder } userErrors { message } } }'
        % second["id"]
    )
    assert moved["data"]["updateFolder"] == {"folder": {"name": "Renamed", "isTopFolder": True}, "userErrors": []}


def test_folder_input_errors_change_nothing(gql: GraphQLClient, world: World) -> None:
    top = gql.query('mutation { createFolder(input: {name: "Top"}) { folder { id } } }')["data"]["createFolder"][
        "folder"
    ]
    child = gql.query(
        'mutation { createFolder(input: {name: "Child", parent: {id: %d}}) { folder { id } } }' % top["id"]
    )
    child_id = child["data"]["createFolder"]["folder"]["id"]
    before = gql.api.call(_count, Folder)
    data = gql.query(
        """mutation {
          unknownParent: createFolder(input: {name: "X", parent: {id: 999}}) { folder { id } userErrors { message path } }
          blank: createFolder(input: {name: "  "}) { folder { id } userErrors { message path } }
          cycle: updateFolder(id: %d, input: {parent: {id: %d}}) { folder { id } userErrors { message path } }
          missing: updateFolder(id: 999, input: {name: "Y"}) { folder { id } userErrors { message path } }
        }"""
        % (top["id"], child_id)
    )["data"]
    assert data["unknownParent"] == {
        "folder": None,
        "userErrors": [{"message": "Could not find Folder with ID 999", "path": ["input", "parent"]}],
    }
    assert data["blank"]["userErrors"][0]["path"] == ["input", "name"]
    assert data["cycle"]["folder"] is None and "its own subfolder" in data["cycle"]["userErrors"][0]["message"]
    assert data["missing"]["userErrors"] == [{"message": "Could not find Folder with ID 999", "path": ["id"]}]
    assert gql.api.call(_count, Folder) == before
    names = gql.query("{ folders(sort: [name_ASC]) { name isTopFolder } }")["data"]["folders"]
    assert names == [{"name": "Child", "isTopFolder": False}, {"name": "Top", "isTopFolder": True}]


def test_folder_fields_need_their_permissions(gql: GraphQLClient, world: World) -> None:
    folder = gql.api.call(folders.create_folder, "Shirts")
    gql.api.call(folders.file_product, world.product_id, folder.id)
    body = gql.post(
        "{ product(id: %d) { name folder { name } } }" % world.product_id, token=gql.token(["Product:read"])
    ).json()
    assert body["data"]["product"] == {"name": "Tee", "folder": None}
    assert body["errors"][0]["message"] == "You need Product.Folder:read permission to access folder."
    body = gql.post("{ folders { name products { id } } }", token=gql.token(["Folder:read", "Product:read"])).json()
    assert body["errors"][0]["message"] == "You need Folder.Product:read permission to access products."
    refused = gql.post(
        'mutation { createFolder(input: {name: "No"}) { folder { id } } }', token=gql.token(_without("Folder:write"))
    ).json()
    assert refused["errors"][0]["message"] == "You need Folder:write permission to access createFolder."
    assert refused["errors"][0]["extensions"] == {"category": "authorization"}
    assert gql.api.call(_count, Folder) == 1


# --- translations -------------------------------------------------------------------------------

TRANSLATIONS_FRAGMENT = """
fragment translations on Localizable {
  localized { language { id languageCode } translations { field value } }
}
"""


def test_localize_a_display_and_read_translations_both_ways(gql: GraphQLClient, world: World) -> None:
    german, swedish = gql.api.call(_languages)
    languages = gql.query("{ languages(where: {isAvailableForLocalization: true}) { id name languageCode isActive } }")
    assert [(lang["languageCode"], lang["isActive"]) for lang in languages["data"]["languages"]] == [
        ("de", True),
        ("sv", True),
    ]

    body = gql.query(
        """mutation addOrEditTranslations {
          localize(input: {objectType: Display, objectId: %d, language: {id: %d},
                           translations: [{field: "name", value: "Name auf deutsch"}, {field: "uri", value: "german-display-uri"}]}) {
            userErrors { message path }
            userWarnings { message }
            localizedObject { ...translations }
          }
        }"""
        % (world.display_id, german)
        + TRANSLATIONS_FRAGMENT
    )
    payload = body["data"]["localize"]
    assert payload["userErrors"] == []
    localized = payload["localizedObject"]["localized"]
    assert [entry["language"]["languageCode"] for entry in localized] == ["de", "sv"]
    german_fields = {f["field"]: f["value"] for f in localized[0]["translations"]}
    assert german_fields == {
        "name": "Name auf deutsch",
        "uri": "german-display-uri",
        "metaDescription": None,
        "metaKeywords": None,
        "metaTitle": None,
        "shortDescription": None,
        "description": None,
    }
    assert all(f["value"] is None for f in localized[1]["translations"])
    assert "Localization:write" in body["extensions"]["permissionsUsed"]

    read = gql.query(
        "{ displays { id name translations { language { code } fields { field value } } } "
        "  product(id: %d) { translations { fields { field } } } productVariant(id: %d) { localized { translations { field } } } }"
        % (world.product_id, world.variant_id)
    )
    display = read["data"]["displays"][0]
    assert display["name"] == "Tee"  # the untranslated text stays
    assert display["translations"][0]["language"] == {"code": "de"}
    assert {"field": "name", "value": "Name auf deutsch"} in display["translations"][0]["fields"]
    assert read["data"]["product"]["translations"][0]["fields"] == [{"field": "name"}]
    assert read["data"]["productVariant"]["localized"][1]["translations"] == [{"field": "name"}]
    assert {"Localization:read", "Language:read"} <= set(read["extensions"]["permissionsUsed"])

    cleared = gql.query(
        'mutation { localize(input: {objectType: Display, objectId: %d, language: {code: "de"}, translations: [{field: "name", value: ""}]}) { userErrors { message } } }'
        % world.display_id
    )
    assert cleared["data"]["localize"]["userErrors"] == []
    assert gql.api.call(_count, Translation) == 1
    assert swedish


def test_localize_refuses_bad_input_and_changes_nothing(gql: GraphQLClient, world: World) -> None:
    german, _ = gql.api.call(_languages)
    data = gql.query(
        """mutation {
          unknownField: localize(input: {objectType: Display, objectId: %(d)d, language: {id: %(l)d}, translations: [{field: "name", value: "Ok"}, {field: "colour", value: "x"}]}) { localizedObject { localized { language { id } } } userErrors { message path } }
          badUri: localize(input: {objectType: Display, objectId: %(d)d, language: {id: %(l)d}, translations: [{field: "uri", value: "Not A Uri"}]}) { userErrors { message path } }
          unknownLanguage: localize(input: {objectType: Display, objectId: %(d)d, language: {id: 999}, translations: [{field: "name", value: "x"}]}) { userErrors { message path } }
          unknownObject: localize(input: {objectType: Product, objectId: 999, language: {id: %(l)d}, translations: [{field: "name", value: "x"}]}) { userErrors { message path } }
        }"""
        % {"d": world.display_id, "l": german}
    )["data"]
    assert data["unknownField"] == {
        "localizedObject": None,
        "userErrors": [{"message": "colour is not a translatable field of Display", "path": ["input", "translations"]}],
    }
    assert data["badUri"]["userErrors"][0]["path"] == ["input", "translations"]
    assert data["unknownLanguage"]["userErrors"] == [
        {"message": "Could not find Language with ID 999", "path": ["input", "language"]}
    ]
    assert data["unknownObject"]["userErrors"] == [
        {"message": "Could not find Product with ID 999", "path": ["input", "objectId"]}
    ]
    assert gql.api.call(_count, Translation) == 0


def test_translations_need_their_permissions(gql: GraphQLClient, world: World) -> None:
    german, _ = gql.api.call(_languages)
    body = gql.post(
        "{ display(id: %d) { name translations { fields { field } } } }" % world.display_id,
        token=gql.token(["Display:read", "Language:read"]),
    ).json()
    assert body["errors"][0]["message"] == "You need Localization:read permission to access translations."
    refused = gql.post(
        'mutation { localize(input: {objectType: Display, objectId: %d, language: {id: %d}, translations: [{field: "name", value: "x"}]}) { userErrors { message } } }'
        % (world.display_id, german),
        token=gql.token(_without("Localization:write")),
    ).json()
    assert refused["data"] is None
    assert refused["errors"][0]["message"] == "You need Localization:write permission to access localize."
    assert gql.api.call(_count, Translation) == 0
    other_store = gql.token(ALL_PERMISSIONS, store_id=world.wholesale_store_id)
    hidden = gql.query(
        'mutation { localize(input: {objectType: Display, objectId: %d, language: {id: %d}, translations: [{field: "name", value: "x"}]}) { userErrors { message } } }'
        % (world.display_id, german),
        token=other_store,
    )
    assert hidden["data"]["localize"]["userErrors"] == [
        {"message": f"Could not find Display with ID {world.display_id}"}
    ]


# --- media ------------------------------------------------------------------------------------


def test_media_batch_adds_media_and_reports_it(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """mutation createMB {
          createMediaBatch(input: {productMedia: [
            {productId: %(p)d, variantId: %(v)d, url: "https://picsum.photos/id/1072/3872/2592.jpg", metaDataJSON: "{\\"my-data\\": \\"Anything can go here\\"}"},
            {productId: %(p)d, url: "https://picsum.photos/id/1003/1181/1772.png"}
          ]}) { queueId userErrors { message path } userWarnings { message } }
        }"""
        % {"p": world.product_id, "v": world.variant_id}
    )
    created = body["data"]["createMediaBatch"]
    assert created["userErrors"] == [] and len(created["queueId"]) == 32
    status = gql.query(
        'query MBstatus { mediaBatch(queueId: "%s") { status productMedia { productId variantId mediaType url key completed } } }'
        % created["queueId"]
    )["data"]["mediaBatch"]
    assert status["status"] == "COMPLETED"
    assert [(m["productId"], m["variantId"], m["completed"], m["mediaType"]) for m in status["productMedia"]] == [
        (world.product_id, world.variant_id, True, "IMAGE"),
        (world.product_id, None, True, "IMAGE"),
    ]
    newest_key = status["productMedia"][1]["key"]

    last = gql.query(
        """query lastMedia { product(id: %d) {
            media(sort: id_DESC, limit: 1) { id source(sizeName: "standard") { mediaSize { name quality maxWidth maxHeight } url mimeType } metaDataJSON }
            all: media { id metaDataJSON }
        } }"""
        % world.product_id
    )["data"]["product"]
    assert last["media"] == [
        {
            "id": int(newest_key),
            "source": {
                "mediaSize": {"name": "standard", "quality": None, "maxWidth": None, "maxHeight": None},
                "url": "https://picsum.photos/id/1003/1181/1772.png",
                "mimeType": "image/png",
            },
            "metaDataJSON": None,
        }
    ]
    assert [m["metaDataJSON"] for m in last["all"]] == ['{"my-data": "Anything can go here"}', None]
    display = gql.query(
        '{ displays(where: {id: [%d]}) { media { source(sizeName: "standard") { type url } } } }' % world.display_id
    )
    assert display["data"]["displays"][0]["media"][0]["source"]["type"] == "image"

    other = gql.token(ALL_PERMISSIONS, name="other-integration")
    assert (
        gql.query('{ mediaBatch(queueId: "%s") { status } }' % created["queueId"], token=other)["data"]["mediaBatch"]
        is None
    )


def test_media_batch_is_all_or_nothing(gql: GraphQLClient, world: World) -> None:
    data = gql.query(
        """mutation {
          unknownProduct: createMediaBatch(input: {productMedia: [{productId: %(p)d, url: "https://x.test/a.jpg"}, {productId: 999, url: "https://x.test/b.jpg"}]}) { queueId userErrors { message path } }
          badUrl: createMediaBatch(input: {productMedia: [{productId: %(p)d, url: "ftp://x.test/a.jpg"}]}) { queueId userErrors { message path } }
          foreignVariant: createMediaBatch(input: {productMedia: [{productId: %(p)d, variantId: 999, url: "https://x.test/a.jpg"}]}) { queueId userErrors { path } }
          empty: createMediaBatch(input: {productMedia: []}) { queueId userErrors { path } }
        }"""
        % {"p": world.product_id}
    )["data"]
    assert data["unknownProduct"] == {
        "queueId": None,
        "userErrors": [
            {"message": "Could not find Product with ID 999", "path": ["input", "productMedia", "1", "productId"]}
        ],
    }
    assert data["badUrl"]["userErrors"][0]["path"] == ["input", "productMedia", "0", "url"]
    assert data["foreignVariant"]["userErrors"][0]["path"] == ["input", "productMedia", "0", "variantId"]
    assert data["empty"]["userErrors"][0]["path"] == ["input", "productMedia"]
    too_many = ", ".join('{productId: %d, url: "https://x.test/%d.jpg"}' % (world.product_id, n) for n in range(101))
    over = gql.query("mutation { createMediaBatch(input: {productMedia: [%s]}) { userErrors { message } } }" % too_many)
    assert over["data"]["createMediaBatch"]["userErrors"] == [{"message": "at most 100 media per batch"}]
    assert gql.api.call(_count, Media) == 0 and gql.api.call(_count, MediaBatch) == 0
    refused = gql.post(
        'mutation { createMediaBatch(input: {productMedia: [{productId: %d, url: "https://x.test/a.jpg"}]}) { queueId } }'
        % world.product_id,
        token=gql.token(_without("ProductMedia:write")),
    ).json()
    assert refused["errors"][0]["message"] == "You need ProductMedia:write permission to access createMediaBatch."
    assert gql.api.call(_count, Media) == 0


# --- charts ------------------------------------------------------------------------------------


def test_measurement_chart_create_and_remove(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """mutation addMeasurementChart {
          createMeasurementChart(input: {
              name: "Shirts", horizontalLabels: ["S", "M", "L"], verticalLabels: ["Chest", "Sleeve"], displayUnit: "cm"
              values: [
                {horizontalLabel: "S", verticalLabel: "Chest", value: "80"}, {horizontalLabel: "S", verticalLabel: "Sleeve", value: "55"},
                {horizontalLabel: "M", verticalLabel: "Chest", value: "85"}, {horizontalLabel: "M", verticalLabel: "Sleeve", value: "58"},
                {horizontalLabel: "L", verticalLabel: "Chest", value: "90"}, {horizontalLabel: "L", verticalLabel: "Sleeve", value: "60"}
              ]}) {
            measurementChart { id name horizontalLabels verticalLabels displayUnit contentJSON }
            userErrors { message path }
          }
        }"""
    )
    chart = body["data"]["createMeasurementChart"]["measurementChart"]
    assert chart["horizontalLabels"] == ["S", "M", "L"] and chart["verticalLabels"] == ["Chest", "Sleeve"]
    assert chart["contentJSON"] == '{"Chest":{"S":"80","M":"85","L":"90"},"Sleeve":{"S":"55","M":"58","L":"60"}}'
    assert body["extensions"]["permissionsUsed"] == ["MeasurementChart:write"]

    bad = gql.query(
        'mutation { createMeasurementChart(input: {name: "X", horizontalLabels: ["S"], verticalLabels: ["Chest"], values: [{horizontalLabel: "XL", verticalLabel: "Chest", value: "1"}]}) { measurementChart { id } userErrors { message path } } }'
    )["data"]["createMeasurementChart"]
    assert bad["measurementChart"] is None and bad["userErrors"][0]["path"] == ["input", "values"]

    gql.query(
        "mutation { updateProduct(id: %d, input: {measurementTable: {measurementChart: {id: %d}}}) { userErrors { message } } }"
        % (world.product_id, chart["id"])
    )
    in_use = gql.query(
        "mutation deleteMeasurementChart { removeMeasurementChart(id: %d) { userErrors { message path } } }"
        % chart["id"]
    )
    assert in_use["data"]["removeMeasurementChart"]["userErrors"] == [
        {"message": f"Measurement chart {chart['id']} is used by 1 product(s) and cannot be removed", "path": ["id"]}
    ]
    assert gql.api.call(_count, MeasurementChart) == 1
    gql.query(
        "mutation { updateProduct(id: %d, input: {measurementTable: {measurementChart: {id: null}}}) { userErrors { message } } }"
        % world.product_id
    )
    removed = gql.query("mutation { removeMeasurementChart(id: %d) { userErrors { message } } }" % chart["id"])
    assert removed["data"]["removeMeasurementChart"]["userErrors"] == []
    assert gql.api.call(_count, MeasurementChart) == 0
    missing = gql.query("mutation { deleteMeasurementChart(id: %d) { userErrors { message path } } }" % chart["id"])
    assert missing["data"]["deleteMeasurementChart"]["userErrors"] == [
        {"message": f"Could not find MeasurementChart with ID {chart['id']}", "path": ["id"]}
    ]
    refused = gql.post(
        "mutation { removeMeasurementChart(id: 1) { userErrors { message } } }",
        token=gql.token(_without("MeasurementChart:write")),
    ).json()
    assert (
        refused["errors"][0]["message"]
        == "You need MeasurementChart:write permission to access removeMeasurementChart."
    )


def test_remove_size_chart_refuses_a_chart_in_use(gql: GraphQLClient, world: World) -> None:
    unused = gql.query(
        'mutation { createSizeChart(input: {name: "Unused", horizontalLabels: ["A"]}) { sizeChart { id } } }'
    )
    unused_id = unused["data"]["createSizeChart"]["sizeChart"]["id"]
    used_id = gql.query("{ product(id: %d) { sizeChart { id } } }" % world.product_id)["data"]["product"]["sizeChart"][
        "id"
    ]
    body = gql.query(
        "mutation { used: removeSizeChart(id: %d) { userErrors { message path } } unused: removeSizeChart(id: %d) { userErrors { message } } }"
        % (used_id, unused_id)
    )
    assert body["data"]["used"]["userErrors"][0]["path"] == ["id"]
    assert "cannot be removed" in body["data"]["used"]["userErrors"][0]["message"]
    assert body["data"]["unused"]["userErrors"] == []
    assert gql.api.call(_count, SizeChart) == 1
    refused = gql.post(
        "mutation { removeSizeChart(id: %d) { userErrors { message } } }" % used_id,
        token=gql.token(_without("SizeChart:write")),
    ).json()
    assert refused["errors"][0]["message"] == "You need SizeChart:write permission to access removeSizeChart."


# --- unit cost, dates, display prices, mapped attributes ---------------------------------------------


async def _price(db: Database, world: World) -> None:
    async with db.write() as session:
        session.add(Price(pricelist_id=world.pricelist_id, variant_id=world.variant_id, price_minor=19_900))


def test_unit_cost_formatted_dates_and_display_prices(gql: GraphQLClient, world: World) -> None:
    gql.api.call(unit_costs.set_unit_cost, world.variant_id, Decimal("41"), "SEK")
    gql.api.call(_price, world)
    body = gql.query(
        """{ products { updatedAt createdAt(format: "Y") variants { unitCost { value currency { code } formattedValue } updatedAt(format: "Y-m-d\\\\TH:i:sO") } }
             displays { updatedAt(format: "D, d M Y") prices { id pricelist { id name } price { value currency { code } } } } }"""
    )
    product = body["data"]["products"][0]
    variant = product["variants"][0]
    assert variant["unitCost"] == {"value": 41.0, "currency": {"code": "SEK"}, "formattedValue": "41.00 kr"}
    stamp = variant["updatedAt"]
    assert len(stamp) == 24 and stamp[10] == "T" and stamp.endswith("+0000"), stamp
    assert product["createdAt"].isdigit() and "T" in product["updatedAt"]
    display = body["data"]["displays"][0]
    assert display["updatedAt"][3:5] == ", "
    assert display["prices"][0]["pricelist"] == {"id": world.pricelist_id, "name": "SEK"}
    assert display["prices"][0]["price"] == {"value": 199.0, "currency": {"code": "SEK"}}
    refused = gql.post("{ displays { prices { id } } }", token=gql.token(["Display:read"])).json()
    assert refused["errors"][0]["message"] == "You need Price:read permission to access prices."


def test_mapped_attributes_query(gql: GraphQLClient, world: World) -> None:
    for name in ("Wood", "Steel"):
        gql.api.call(
            mapped_attributes.create_mapped_attribute, "pr_materials", name, value=name, description="Product materials"
        )
    gql.api.call(mapped_attributes.create_mapped_attribute, "pr_colours", "Red", value="red")
    body = gql.query(
        """query getMappedAttributes { mappedAttributes(where: {typeName: {equals: "pr_materials"}}) {
             id name description objectType type { name isMapped } elements { key description kind ... on AttributeStringElement { value } } } }"""
    )
    found = body["data"]["mappedAttributes"]
    assert [(m["name"], m["type"]["name"], m["type"]["isMapped"], m["objectType"]) for m in found] == [
        ("Wood", "pr_materials", True, "Product"),
        ("Steel", "pr_materials", True, "Product"),
    ]
    assert found[0]["elements"] == [
        {"key": "text", "description": "Product materials", "kind": "STRING", "value": "Wood"}
    ]
    assert body["extensions"]["permissionsUsed"] == ["Attribute:read"]
    refused = gql.post("{ mappedAttributes { id } }", token=gql.token(_without("Attribute:read"))).json()
    assert refused["errors"][0]["message"] == "You need Attribute:read permission to access mappedAttributes."


# --- externalId references ------------------------------------------------------------------------


def test_id_refs_accept_external_ids(gql: GraphQLClient, world: World) -> None:
    size_id = gql.query("{ product(id: %d) { sizeChart { sizes { id name } } } }" % world.product_id)["data"][
        "product"
    ]["sizeChart"]["sizes"][0]["id"]
    gql.query(
        """mutation { setIdConversions(input: [
            {objectType: ProductVariant, externalId: "V-1", internalId: %d},
            {objectType: Size, externalId: "Letters|S", internalId: %d},
            {objectType: Warehouse, externalId: "WH", internalId: %d}]) { userErrors { message } } }"""
        % (world.variant_id, size_id, world.warehouse_id)
    )
    body = gql.query(
        """mutation {
          changeStock(input: {intoWarehouse: {externalId: "WH"}, description: "New stock",
                              productVariants: [{productVariant: {externalId: "V-1"}, sizeChanges: [{size: {externalId: "Letters|S"}, deliveredQuantity: 5}]}]}) {
            stockChange { id } userErrors { message path } userWarnings { message }
          }
          unknown: changeStock(input: {intoWarehouse: {id: %d}, productVariants: [{productVariant: {externalId: "nope"}, sizeChanges: [{size: {name: "S"}, deliveredQuantity: 1}]}]}) {
            stockChange { id } userErrors { message path }
          }
          neither: changeStock(input: {intoWarehouse: {}, productVariants: []}) { stockChange { id } userErrors { message path } }
        }"""
        % world.warehouse_id
    )["data"]
    assert body["changeStock"]["userErrors"] == [] and body["changeStock"]["stockChange"] is not None
    assert body["unknown"] == {
        "stockChange": None,
        "userErrors": [
            {
                "message": "Could not find ProductVariant with external ID nope",
                "path": ["input", "productVariants", "0", "productVariant"],
            }
        ],
    }
    assert body["neither"]["userErrors"] == [{"message": "give id or externalId", "path": ["input", "intoWarehouse"]}]
    stock = gql.query(
        "{ productVariant(id: %d) { productSizes { size { name } stockTotals { physicalQuantity } } } }"
        % world.variant_id
    )
    totals = {
        s["size"]["name"]: s["stockTotals"]["physicalQuantity"] for s in stock["data"]["productVariant"]["productSizes"]
    }
    assert totals == {"S": 105, "L": 100}


async def _product_count(db: Database) -> int:
    return await _count(db, Product)


def test_documented_all_in_one_example_runs(gql: GraphQLClient, world: World) -> None:
    """The PIM guide's bonus example: one request, later mutations refer to earlier ones by externalId."""
    import json
    from pathlib import Path

    import pytest

    fixtures = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "graphql-api.examples.jsonl"
    if not fixtures.exists():
        pytest.skip(f"Centra's examples not found at {fixtures}")
    text = next(
        block["text"]
        for block in map(json.loads, fixtures.read_text().splitlines())
        if block["text"] and "mutation allInOne" in block["text"]
    )
    brand = gql.api.call(brands.create_brand, "Base Brand")
    for documented, ours in (
        ("brand: { id: 1 }", brand.id),
        ("store: { id: 1 }", world.store_id),
        ("intoWarehouse: { id: 1 }", world.warehouse_id),
    ):
        assert documented in text
        text = text.replace(documented, documented.replace("1", str(ours)))
    response = gql.post(text)
    data = response.json()["data"]
    assert data["createSizeChart"]["userErrors"] == []
    assert data["createProduct"]["userErrors"] == []
    assert data["createV1"]["userErrors"] == [] and data["createV2"]["userErrors"] == []
    assert data["createD1"]["userErrors"] == []
    assert gql.api.call(_product_count) == 2
    conversions = gql.query("{ idConversions(where: {objectType: ProductVariant}) { externalId internalId } }")
    assert {c["externalId"] for c in conversions["data"]["idConversions"]} == {"My variant 1", "My variant 2"}
    display = gql.query("{ display(id: %d) { productVariants { name } } }" % data["createD1"]["display"]["id"])
    assert [v["name"] for v in display["data"]["display"]["productVariants"]] == ["First", "Second"]


# --- the extras through the product and variant mutations -------------------------------------------


async def _assignments(db: Database) -> list[tuple[int, int | None]]:
    from opencentra.catalog.pim_models import MappedAttributeAssignment

    async with db.read() as session:
        rows = await session.execute(
            select(MappedAttributeAssignment.mapped_attribute_id, MappedAttributeAssignment.product_id).order_by(
                MappedAttributeAssignment.mapped_attribute_id
            )
        )
        return [(a, p) for a, p in rows]


def test_product_and_variant_mutations_take_folder_mapped_attributes_and_unit_cost(
    gql: GraphQLClient, world: World
) -> None:
    folder = gql.api.call(folders.create_folder, "Shirts")
    wood = gql.api.call(mapped_attributes.create_mapped_attribute, "pr_materials", "Wood")
    before = gql.api.call(_product_count)
    data = gql.query(
        """mutation {
          unknownFolder: createProduct(input: {name: "A", productNumber: "A-1", folder: {id: 999}}) { product { id } userErrors { message path } }
          filed: updateProduct(id: %(p)d, input: {name: "Filed tee", folder: {id: %(f)d}, assignMappedAttributes: [{attributeTypeName: "pr_materials", attributeId: %(w)d}]}) {
            product { name folder { name } } userErrors { message path }
          }
          wrongPick: updateProduct(id: %(p)d, input: {name: "Never", unassignMappedAttributes: [{attributeTypeName: "pr_colours", attributeId: %(w)d}]}) {
            product { id } userErrors { message path }
          }
          cost: updateProductVariant(id: %(v)d, input: {unitCost: {value: 12.5, currencyIsoCode: "SEK"}}) { productVariant { unitCost { value } } userErrors { message } userWarnings { message } }
          badCost: updateProductVariant(id: %(v)d, input: {name: "Never", unitCost: {value: 1, currencyIsoCode: "EUR"}}) { productVariant { id } userErrors { message path } }
        }"""
        % {"p": world.product_id, "f": folder.id, "w": wood.id, "v": world.variant_id}
    )["data"]
    assert data["unknownFolder"] == {
        "product": None,
        "userErrors": [{"message": "Could not find Folder with ID 999", "path": ["input", "folder"]}],
    }
    assert gql.api.call(_product_count) == before
    assert data["filed"] == {"product": {"name": "Filed tee", "folder": {"name": "Shirts"}}, "userErrors": []}
    assert gql.api.call(_assignments) == [(wood.id, world.product_id)]
    assert data["wrongPick"]["product"] is None and "pr_colours" in data["wrongPick"]["userErrors"][0]["message"]
    assert data["cost"] == {"productVariant": {"unitCost": {"value": 12.5}}, "userErrors": [], "userWarnings": []}
    assert data["badCost"]["productVariant"] is None
    assert data["badCost"]["userErrors"][0]["path"] == ["input", "unitCost"]
    after = gql.query("{ product(id: %d) { name variants { name unitCost { value } } } }" % world.product_id)["data"][
        "product"
    ]
    assert after == {"name": "Filed tee", "variants": [{"name": "Black", "unitCost": {"value": 12.5}}]}


def test_assign_attributes_picks_mapped_attributes_and_reads_them_back(gql: GraphQLClient, world: World) -> None:
    wood = gql.api.call(
        mapped_attributes.create_mapped_attribute, "pr_materials", "Wood", value="Wood", description="Product materials"
    )
    document = (
        """mutation ($mode: Int!) {
      assignAttributes(input: {objectType: Product, objectId: %d, mappedAttributes: [{attributeTypeName: "pr_materials", attributeId: $mode}]}) {
        object { ... on Product { attributes { type { name isMapped } description elements { key ... on AttributeStringElement { value } } } } }
        userErrors { message path }
      }
    }"""
        % world.product_id
    )
    body = gql.query(document, {"mode": wood.id})["data"]["assignAttributes"]
    assert body["userErrors"] == []
    assert body["object"]["attributes"] == [
        {
            "type": {"name": "pr_materials", "isMapped": True},
            "description": "Product materials",
            "elements": [{"key": "text", "value": "Wood"}],
        }
    ]
    wrong = gql.query(document, {"mode": 999})["data"]["assignAttributes"]
    assert wrong["object"] is None and wrong["userErrors"][0]["path"] == ["input", "mappedAttributes"]
    gone = gql.query(document.replace("assignAttributes", "unassignAttributes"), {"mode": wood.id})
    assert gone["data"]["unassignAttributes"]["object"]["attributes"] == []


async def _relate_and_discount(db: Database, world: World) -> int:
    from opencentra.catalog.models import Display, DisplayRelation
    from opencentra.pricing.models import Campaign, CampaignVariant

    async with db.write() as session:
        other = Display(store_id=world.store_id, product_id=world.product_id, name="Tee 2", uri="tee-2")
        campaign = Campaign(store_id=world.store_id, name="Sale")
        elsewhere = Campaign(store_id=world.wholesale_store_id, name="B2B sale")
        session.add_all([other, campaign, elsewhere])
        await session.flush()
        session.add(DisplayRelation(display_id=world.display_id, related_display_id=other.id))
        session.add(CampaignVariant(campaign_id=campaign.id, variant_id=world.variant_id, discount_bp=2_500))
        session.add(CampaignVariant(campaign_id=elsewhere.id, variant_id=world.variant_id, discount_bp=1_000))
        await session.flush()
        return other.id


def test_display_fields_of_the_pim_guide(gql: GraphQLClient, world: World) -> None:
    other = gql.api.call(_relate_and_discount, world)
    body = gql.query(
        """{ display(id: %d) { minimumOrderQuantity orderQuantityDenominator comment tags taxGroup { id name }
              displayItems { id productVariant { id name } display { id } } related { id name }
              campaignVariants { id discountPercent productVariant { id } } } }"""
        % world.display_id
    )
    display = body["data"]["display"]
    assert display == {
        "minimumOrderQuantity": 1,
        "orderQuantityDenominator": 1,
        "comment": None,
        "tags": [],
        "taxGroup": None,
        "displayItems": [
            {
                "id": world.display_item_id,
                "productVariant": {"id": world.variant_id, "name": "Black"},
                "display": {"id": world.display_id},
            }
        ],
        "related": [{"id": other, "name": "Tee 2"}],
        "campaignVariants": [
            {
                "id": display["campaignVariants"][0]["id"],
                "discountPercent": 25.0,
                "productVariant": {"id": world.variant_id},
            }
        ],
    }
    refused = gql.post(
        "{ display(id: %d) { campaignVariants { id } } }" % world.display_id, token=gql.token(["Display:read"])
    ).json()
    assert refused["errors"][0]["message"] == "You need Campaign:read permission to access campaignVariants."


def test_php_date_letters() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from opencentra.api.graphql.dates import format_php, formatted

    moment = datetime(2022, 1, 3, 11, 4, 2, 5000, tzinfo=UTC)
    assert format_php(moment, "Y-m-d\\TH:i:sO") == "2022-01-03T11:04:02+0000"
    assert format_php(moment, "D, d M Y H:i:s P") == "Mon, 03 Jan 2022 11:04:02 +00:00"
    assert (
        format_php(moment, "jS F y, g:i a, N w z t L W o U v")
        == "3rd January 22, 11:04 am, 1 1 2 31 0 01 2022 1641207842 005"
    )
    assert format_php(moment, "c") == "2022-01-03T11:04:02+00:00"
    assert format_php(moment, "\\Y\\\\") == "Y\\"
    assert (
        format_php(datetime(2022, 1, 3, 11, 4, 2, tzinfo=timezone(timedelta(hours=-5, minutes=-30))), "O e")
        == "-0530 -05:30"
    )
    assert formatted(moment, None) is moment and formatted(None, "Y") is None
    assert formatted(datetime(2022, 1, 3, 23, 30, tzinfo=timezone(timedelta(hours=-2))), "Y-m-d H") == "2022-01-04 01"
