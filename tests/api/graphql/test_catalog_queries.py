"""Catalogue reads cost a fixed number of statements, however many products a page holds.

Every relation a product query follows is one batched read per level (the
catalogue's loaders), so one product and twelve cost the same.
"""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from tests.api.graphql.gqlkit import GraphQLClient, World
from tests.api.graphql.test_queries import counted_statements

from opencentra.catalog import brands, displays, folders, mapped_attributes, products, translations, unit_costs
from opencentra.catalog.models import AttributeScope, Category, Product, ProductSize
from opencentra.db.engine import Database
from opencentra.inventory.models import Stock
from opencentra.pricing.models import Price
from opencentra.stores.models import Language, TaxGroup

PRODUCTS = """
{
  products(limit: 100) {
    id name status productNumber createdAt updatedAt isBundle internalComment
    weight { value unit }
    countryOfOrigin { code }
    brand { name } collection { name }
    sizeChart { name sizes { name } }
    measurementTable { inherited chart { name } }
    folder { name parentFolder { name } }
    media { id url altText source { url mimeType } metaDataJSON }
    attributes { type { name isMapped } elements { key ... on AttributeStringElement { value } } }
    translations { language { code } fields { field value } }
    variants {
      id name status variantNumber
      unitCost { value currency { code } }
      attributes { type { name } }
      translations { fields { field value } }
      productSizes { id EAN SKU size { name } stockTotals { physicalQuantity availableQuantity } warehouseStock { physicalQuantity warehouse { name } } }
      prices { pricelist { name } price { value currency { code } } }
    }
    displays {
      id name uri status
      canonicalCategory { name } categories { name } markets { name } store { name }
      displayItems { id productVariant { id } }
      productVariants { id }
      prices { price { value } }
      taxGroup { name } minimumOrderQuantity
      related { id }
    }
  }
}
"""


async def _setup(db: Database, world: World) -> dict[str, int]:
    """What every product of ``_add_products`` shares: a folder, a category, a language..."""
    async with db.write() as session:
        language = Language(code="de", name="German")
        category = Category(store_id=world.store_id, name="Tops", uri="tops")
        tax_group = TaxGroup(name="Clothes")
        session.add_all([language, category, tax_group])
        await session.flush()
        ids = {"language": language.id, "category": category.id, "tax_group": tax_group.id}
    ids["folder"] = (await folders.create_folder(db, "Shirts")).id
    ids["attribute"] = (await products.create_attribute_type(db, "pr_fit", "Fit")).id
    ids["variant_attribute"] = (
        await products.create_attribute_type(db, "var_shade", "Shade", scope=AttributeScope.VARIANT)
    ).id
    ids["mapped"] = (await mapped_attributes.create_mapped_attribute(db, "pr_material", "Cotton", value="cotton")).id
    return ids


async def _add_products(db: Database, world: World, shared: dict[str, int], first: int, count: int) -> None:
    """Products with everything a PIM reads: brand, variants, sizes, stock, prices, media, displays..."""
    async with db.read() as session:
        sizes = list(await session.scalars(select(ProductSize.size_id).where(ProductSize.id.in_(world.size_ids))))
        chart_id = await session.scalar(select(Product.size_chart_id).where(Product.id == world.product_id))
    assert chart_id is not None
    for n in range(first, first + count):
        brand = await brands.create_brand(db, f"Brand {n}")
        spec = products.ProductSpec(
            name=f"Shirt {n}",
            product_number=f"SH{n}",
            size_chart_id=chart_id,
            variants=[
                products.VariantSpec(
                    name=f"Colour {v}", variant_number=f"C{v}", sizes=[products.SizeSpec(s) for s in sizes]
                )
                for v in range(2)
            ],
            brand_id=brand.id,
            tax_group_id=shared["tax_group"],
            country_of_origin="SE",
            weight_grams=300,
        )
        product = await products.create_product(db, spec)
        await folders.file_product(db, product.id, shared["folder"])
        await products.add_media(db, product.id, f"https://img.example.com/{n}.jpg")
        await products.set_attribute_value(db, shared["attribute"], "slim", product_id=product.id)
        await mapped_attributes.assign(db, [("pr_material", shared["mapped"])], assign=True, product_id=product.id)
        await translations.localize(db, "Product", product.id, shared["language"], {"name": f"Hemd {n}"})
        variant_ids = [v.id for v in product.variants]
        for variant in product.variants:
            await unit_costs.set_unit_cost(db, variant.id, Decimal("12.50"), "SEK")
            await products.set_attribute_value(db, shared["variant_attribute"], "dark", variant_id=variant.id)
        display = await displays.create_display(
            db,
            displays.DisplaySpec(
                store_id=world.store_id,
                product_id=product.id,
                name=f"Shirt {n}",
                variant_ids=variant_ids,
                market_ids=[world.market_id],
                category_ids=[shared["category"]],
            ),
        )
        async with db.write() as session:
            for variant in product.variants:
                session.add(Price(pricelist_id=world.pricelist_id, variant_id=variant.id, price_minor=19_900))
                for size in variant.sizes:
                    session.add(Stock(warehouse_id=world.warehouse_id, product_size_id=size.id, physical=7))
        assert display.id


def test_a_page_of_products_costs_the_same_statements_for_one_or_many(gql: GraphQLClient, world: World) -> None:
    shared = gql.api.call(_setup, world)
    gql.api.call(_add_products, world, shared, 1, 1)
    with counted_statements(gql.api) as few:
        small = gql.query(PRODUCTS)
    gql.api.call(_add_products, world, shared, 2, 11)
    with counted_statements(gql.api) as many:
        large = gql.query(PRODUCTS)
    assert len(small["data"]["products"]) == 2
    assert len(large["data"]["products"]) == 13
    shirt = large["data"]["products"][1]
    assert shirt["folder"] == {"name": "Shirts", "parentFolder": None}
    assert shirt["variants"][0]["productSizes"][0]["stockTotals"] == {"physicalQuantity": 7, "availableQuantity": 7}
    assert shirt["variants"][0]["prices"][0]["price"] == {"value": 199.0, "currency": {"code": "SEK"}}
    assert shirt["displays"][0]["categories"] == [{"name": "Tops"}]
    assert len(many) == len(few), "\n".join(many)
    # One read per relation per level: products; brands, collections, size charts and their sizes,
    # measurement charts, folders (+ parents), media (+ batch metadata), attributes (dynamic and
    # mapped), translations (+ languages and translatable fields), bundles, countries; variants with
    # their unit costs, attributes, sizes, stock, warehouses, prices, pricelists and currencies;
    # displays with their categories, markets, stores, items, variants, related displays and tax groups.
    assert len(many) <= 39, "\n".join(many)
