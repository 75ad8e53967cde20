"""Bundles: define them, the rules for what can be sold and what they cost, and their order lines.

Pricing a bundle from the pricelist is ``pricing.bundle_prices``; how many a
market can sell is ``inventory.services.available_for_market`` and
``inventory.bundle_stock``, both from the needs and units computed here.

The rules (Centra's): a fixed bundle offers one variant per section and
every section is required; a flexible bundle lets the shopper pick one of a
section's variants, and its sections may be optional. A static bundle costs
its own variant's price; a dynamic one costs the chosen components' prices
(times the section quantity) less its discount.

Which size of a component fills a section: the size the shopper named; else
the component's only size; else the component size named like the bundle
size (a bundle in S is made of components in S).

A bundle has no stock. It can be sold as many times as its required
sections can be filled from free stock; selling one allocates its
components, in the same statement-level way as any other order line, so two
buyers can never both get the last unit of a component.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.catalog.bundle_models import (
    Bundle,
    BundlePriceType,
    BundleSection,
    BundleSectionVariant,
    BundleType,
    OrderBundleComponent,
    OrderBundleLine,
    SelectionBundleChoice,
)
from opencentra.catalog.items import format_item_id, parse_item_id
from opencentra.catalog.models import Display, DisplayItem, Product, ProductSize, ProductVariant, Size
from opencentra.catalog.pim_writes import file_new_product
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec, create_product_in
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record

# How many sections and options one bundle may have: a bound on the work one request can cause.
MAX_SECTIONS = 50
MAX_OPTIONS = 200


# --- defining bundles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    variant_ids: Sequence[int]
    quantity: int = 1
    optional: bool = False


@dataclass(frozen=True)
class BundleChanges:
    type: BundleType | None = None
    price_type: BundlePriceType | None = None
    discount_bp: int | None = None
    add_sections: Sequence[SectionSpec] = ()
    remove_section_ids: Sequence[int] = ()


def _check_discount(discount_bp: int, price_type: BundlePriceType) -> None:
    if isinstance(discount_bp, bool) or not 0 <= discount_bp <= 10000:
        raise ValidationFailed("discount must be between 0 and 100 percent", field="discount")
    if discount_bp and price_type != BundlePriceType.DYNAMIC:
        raise ValidationFailed("only a dynamic bundle has a bundle discount", field="discount")


async def _check_components(session: AsyncSession, bundle_variant_id: int, specs: Sequence[SectionSpec]) -> None:
    for index, spec in enumerate(specs):
        where = f"sections.{index}"
        if isinstance(spec.quantity, bool) or spec.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"{where}.quantity")
        if not spec.variant_ids:
            raise ValidationFailed("a section needs at least one product variant", field=f"{where}.productVariants")
        if len(set(spec.variant_ids)) != len(spec.variant_ids):
            raise ValidationFailed("a section lists a variant twice", field=f"{where}.productVariants")
        if bundle_variant_id in spec.variant_ids:
            raise ValidationFailed("a bundle cannot contain itself", field=f"{where}.productVariants")
    wanted = {v for spec in specs for v in spec.variant_ids}
    if len(wanted) > MAX_OPTIONS:
        raise ValidationFailed(f"a bundle offers at most {MAX_OPTIONS} variants", field="sections")
    found = set(await session.scalars(select(ProductVariant.id).where(ProductVariant.id.in_(wanted))))
    for index, spec in enumerate(specs):
        for variant_id in spec.variant_ids:
            if variant_id not in found:
                raise NotFound(f"product variant {variant_id} not found", field=f"sections.{index}.productVariants")
    nested = set(await session.scalars(select(Bundle.variant_id).where(Bundle.variant_id.in_(wanted))))
    if nested:
        raise ValidationFailed(f"variant {min(nested)} is a bundle; bundles cannot be nested", field="sections")


def _check_shape(bundle_type: BundleType, sections: Iterable[tuple[int, bool]]) -> None:
    """(number of options, optional) per section must suit the bundle type."""
    if bundle_type != BundleType.FIXED:
        return
    for index, (options, optional) in enumerate(sections):
        if options != 1:
            raise ValidationFailed(
                "each section of a fixed bundle offers exactly one variant", field=f"sections.{index}"
            )
        if optional:
            raise ValidationFailed("a fixed bundle has no optional sections", field=f"sections.{index}")


def _add_sections(bundle: Bundle, specs: Sequence[SectionSpec], start: int) -> None:
    for offset, spec in enumerate(specs):
        section = BundleSection(quantity=spec.quantity, optional=spec.optional, sort_order=start + offset)
        section.options = [BundleSectionVariant(variant_id=v, sort_order=i) for i, v in enumerate(spec.variant_ids)]
        bundle.sections.append(section)


async def _load(session: AsyncSession, bundle_id: int) -> Bundle:
    bundle = await session.scalar(
        select(Bundle)
        .where(Bundle.id == bundle_id)
        .options(selectinload(Bundle.sections).selectinload(BundleSection.options))
        .execution_options(populate_existing=True)
    )
    if bundle is None:
        raise NotFound(f"bundle {bundle_id} not found", field="bundle")
    return bundle


def _event_payload(bundle: Bundle) -> dict[str, object]:
    return {
        "variant": bundle.variant_id,
        "type": bundle.type,
        "price_type": bundle.price_type,
        "sections": [[o.variant_id for o in s.options] for s in bundle.sections],
    }


async def create_bundle_in(
    session: AsyncSession,
    variant_id: int,
    *,
    bundle_type: BundleType = BundleType.FIXED,
    price_type: BundlePriceType = BundlePriceType.STATIC,
    sections: Sequence[SectionSpec] = (),
    discount_bp: int = 0,
) -> Bundle:
    """Make a product variant a bundle of ``sections``, in the caller's transaction."""
    bundle_type, price_type = BundleType(bundle_type), BundlePriceType(price_type)
    if await session.get(ProductVariant, variant_id) is None:
        raise NotFound(f"product variant {variant_id} not found", field="productVariant")
    if await session.scalar(select(Bundle.id).where(Bundle.variant_id == variant_id)) is not None:
        raise Conflict(f"product variant {variant_id} is already a bundle", field="productVariant")
    part_of = await session.scalar(
        select(BundleSectionVariant.id).where(BundleSectionVariant.variant_id == variant_id).limit(1)
    )
    if part_of is not None:
        raise ValidationFailed("a variant that is part of a bundle cannot be a bundle", field="productVariant")
    if len(sections) > MAX_SECTIONS:
        raise ValidationFailed(f"a bundle has at most {MAX_SECTIONS} sections", field="sections")
    _check_discount(discount_bp, price_type)
    await _check_components(session, variant_id, sections)
    _check_shape(bundle_type, [(len(s.variant_ids), s.optional) for s in sections])
    bundle = Bundle(variant_id=variant_id, type=bundle_type.value, price_type=price_type.value, discount_bp=discount_bp)
    bundle.sections = []
    _add_sections(bundle, sections, 0)
    session.add(bundle)
    await session.flush()
    bundle = await _load(session, bundle.id)
    # Bundles belong to the catalogue that every store shares, so the event names no store.
    await record(session, "bundle", bundle.id, "created", _event_payload(bundle))
    return bundle


async def create_bundle(
    db: Database,
    variant_id: int,
    *,
    bundle_type: BundleType = BundleType.FIXED,
    price_type: BundlePriceType = BundlePriceType.STATIC,
    sections: Sequence[SectionSpec] = (),
    discount_bp: int = 0,
) -> Bundle:
    async with db.write() as session:
        return await create_bundle_in(
            session,
            variant_id,
            bundle_type=bundle_type,
            price_type=price_type,
            sections=sections,
            discount_bp=discount_bp,
        )


async def create_bundle_product(
    db: Database,
    product: ProductSpec,
    size_names: Sequence[str] | None,
    *,
    bundle_type: BundleType = BundleType.FIXED,
    price_type: BundlePriceType = BundlePriceType.STATIC,
    sections: Sequence[SectionSpec] = (),
    discount_bp: int = 0,
    folder_id: int | None = None,
) -> Bundle:
    """A new product whose one variant is a bundle (GraphQL ``createBundle``), all in one transaction.

    The variant comes in ``size_names`` of the product's size chart (every size of it when None).
    """
    async with db.atomic() as tx:
        async with tx.write() as session:
            bundle = await _bundle_product_in(
                session, product, size_names, bundle_type, price_type, sections, discount_bp
            )
        if folder_id is not None:
            await file_new_product(tx, bundle.product_id, folder_id)
    return bundle.bundle


@dataclass(frozen=True)
class _Made:
    bundle: Bundle
    product_id: int


async def _bundle_product_in(
    session: AsyncSession,
    product: ProductSpec,
    size_names: Sequence[str] | None,
    bundle_type: BundleType,
    price_type: BundlePriceType,
    sections: Sequence[SectionSpec],
    discount_bp: int,
) -> _Made:
    chart_sizes = {
        name: size_id
        for size_id, name in await session.execute(
            select(Size.id, Size.name).where(Size.size_chart_id == product.size_chart_id).order_by(Size.position)
        )
    }
    if not chart_sizes:
        raise NotFound(f"size chart {product.size_chart_id} has no sizes", field="sizeChart")
    names = list(chart_sizes) if size_names is None else [n.strip() for n in size_names]
    for index, name in enumerate(names):
        if name not in chart_sizes:
            raise NotFound(f"size {name!r} is not in the size chart", field=f"sizes.{index}")
    if len(set(names)) != len(names) or not names:
        raise ValidationFailed("name each size once", field="sizes")
    variant = VariantSpec(
        name=product.name, variant_number="BUNDLE", sizes=[SizeSpec(size_id=chart_sizes[n]) for n in names]
    )
    row = await create_product_in(session, replace(product, variants=[variant]))
    bundle = await create_bundle_in(
        session,
        row.variants[0].id,
        bundle_type=bundle_type,
        price_type=price_type,
        sections=sections,
        discount_bp=discount_bp,
    )
    return _Made(bundle, row.id)


async def update_bundle_in(session: AsyncSession, bundle_id: int, changes: BundleChanges) -> Bundle:
    bundle = await _load(session, bundle_id)
    bundle_type = BundleType(changes.type or bundle.type)
    price_type = BundlePriceType(changes.price_type or bundle.price_type)
    discount = bundle.discount_bp if changes.discount_bp is None else changes.discount_bp
    if changes.price_type == BundlePriceType.STATIC and changes.discount_bp is None:
        discount = 0
    _check_discount(discount, price_type)
    removed = set(changes.remove_section_ids)
    unknown = removed - {s.id for s in bundle.sections}
    if unknown:
        raise NotFound(f"section {min(unknown)} is not in bundle {bundle_id}", field="removeBundleSections")
    await _check_components(session, bundle.variant_id, changes.add_sections)
    kept = [s for s in bundle.sections if s.id not in removed]
    if len(kept) + len(changes.add_sections) > MAX_SECTIONS:
        raise ValidationFailed(f"a bundle has at most {MAX_SECTIONS} sections", field="sections")
    _check_shape(
        bundle_type,
        [(len(s.options), s.optional) for s in kept] + [(len(s.variant_ids), s.optional) for s in changes.add_sections],
    )
    bundle.type, bundle.price_type, bundle.discount_bp = bundle_type.value, price_type.value, discount
    if removed:
        # Through the relationship, so the removed sections and their options leave the identity map too.
        bundle.sections = kept
        await session.flush()
    _add_sections(bundle, changes.add_sections, max((s.sort_order for s in kept), default=-1) + 1)
    await session.flush()
    bundle = await _load(session, bundle.id)
    await record(session, "bundle", bundle.id, "updated", _event_payload(bundle))
    return bundle


async def update_bundle(db: Database, bundle_id: int, changes: BundleChanges) -> Bundle:
    async with db.write() as session:
        return await update_bundle_in(session, bundle_id, changes)


async def get_bundle(db: Database, bundle_id: int) -> Bundle:
    async with db.read() as session:
        return await _load(session, bundle_id)


async def bundle_of_variant(session: AsyncSession, variant_id: int) -> Bundle | None:
    bundle_id = await session.scalar(select(Bundle.id).where(Bundle.variant_id == variant_id))
    return None if bundle_id is None else await _load(session, bundle_id)


async def bundles_of_variants(session: AsyncSession, variant_ids: Iterable[int]) -> dict[int, Bundle]:
    """The bundles among these variants, keyed by variant id (one query for any number)."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = await session.scalars(
        select(Bundle)
        .where(Bundle.variant_id.in_(ids))
        .options(selectinload(Bundle.sections).selectinload(BundleSection.options))
    )
    return {bundle.variant_id: bundle for bundle in rows}


# --- what fills a section ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionNeed:
    """What one unit of a bundle size needs from one section."""

    section_id: int
    quantity: int
    optional: bool
    # variant id -> the component sizes that can fill the section for this bundle size.
    sizes_by_variant: Mapping[int, tuple[int, ...]]

    @property
    def size_ids(self) -> tuple[int, ...]:
        return tuple(s for sizes in self.sizes_by_variant.values() for s in sizes)


@dataclass(frozen=True)
class BundleSizeNeeds:
    bundle_id: int
    bundle_size_id: int
    sections: tuple[SectionNeed, ...]


def _matching_sizes(sizes: Sequence[tuple[int, str]], bundle_size_name: str) -> tuple[int, ...]:
    if len(sizes) <= 1:
        return tuple(s for s, _n in sizes)
    named = tuple(s for s, n in sizes if n == bundle_size_name)
    return named or tuple(s for s, _n in sizes)


async def needs_for_sizes(session: AsyncSession, product_size_ids: Iterable[int] | None) -> dict[int, BundleSizeNeeds]:
    """For the given sizes that are bundle sizes (all bundle sizes for None): what each needs."""
    stmt = (
        select(ProductSize.id, Size.name, Bundle.id)
        .join(Size, Size.id == ProductSize.size_id)
        .join(Bundle, Bundle.variant_id == ProductSize.variant_id)
    )
    if product_size_ids is not None:
        ids = sorted(set(product_size_ids))
        if not ids:
            return {}
        stmt = stmt.where(ProductSize.id.in_(ids))
    bundle_sizes = [(size_id, name, bundle_id) for size_id, name, bundle_id in await session.execute(stmt)]
    if not bundle_sizes:
        return {}
    bundle_ids = sorted({b for _s, _n, b in bundle_sizes})
    section_rows = list(
        await session.execute(
            select(
                BundleSection.bundle_id,
                BundleSection.id,
                BundleSection.quantity,
                BundleSection.optional,
                BundleSectionVariant.variant_id,
            )
            .join(BundleSectionVariant, BundleSectionVariant.section_id == BundleSection.id)
            .where(BundleSection.bundle_id.in_(bundle_ids))
            .order_by(
                BundleSection.bundle_id, BundleSection.sort_order, BundleSection.id, BundleSectionVariant.sort_order
            )
        )
    )
    variant_ids = sorted({row[4] for row in section_rows})
    sizes_of: dict[int, list[tuple[int, str]]] = {}
    if variant_ids:
        for size_id, variant_id, name in await session.execute(
            select(ProductSize.id, ProductSize.variant_id, Size.name)
            .join(Size, Size.id == ProductSize.size_id)
            .where(ProductSize.variant_id.in_(variant_ids))
            .order_by(ProductSize.id)
        ):
            sizes_of.setdefault(variant_id, []).append((size_id, name))
    sections_of: dict[int, list[tuple[int, int, bool, list[int]]]] = {}
    for bundle_id, section_id, quantity, optional, variant_id in section_rows:
        sections = sections_of.setdefault(bundle_id, [])
        if not sections or sections[-1][0] != section_id:
            sections.append((section_id, quantity, optional, []))
        sections[-1][3].append(variant_id)
    result: dict[int, BundleSizeNeeds] = {}
    for size_id, size_name, bundle_id in bundle_sizes:
        needs = tuple(
            SectionNeed(
                section_id=section_id,
                quantity=quantity,
                optional=optional,
                sizes_by_variant={v: _matching_sizes(sizes_of.get(v, []), size_name) for v in variants},
            )
            for section_id, quantity, optional, variants in sections_of.get(bundle_id, [])
        )
        result[size_id] = BundleSizeNeeds(bundle_id, size_id, needs)
    return result


def units_possible(needs: BundleSizeNeeds, available: Mapping[int, int]) -> int:
    """How many of the bundle size free stock can fill: each required section by its best option."""
    required = [need for need in needs.sections if not need.optional]
    if not required:
        return 0
    units = None
    for need in required:
        best = max((max(available.get(s, 0), 0) for s in need.size_ids), default=0) // need.quantity
        units = best if units is None else min(units, best)
    return units or 0


def bundle_units(needs: Mapping[int, BundleSizeNeeds], available: Mapping[int, int]) -> dict[int, int]:
    return {size_id: units_possible(need, available) for size_id, need in needs.items()}


def component_size_ids(needs: Mapping[int, BundleSizeNeeds]) -> set[int]:
    return {s for need in needs.values() for section in need.sections for s in section.size_ids}


# --- choosing components ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChosenComponent:
    section_id: int
    quantity: int
    variant_id: int
    product_size_id: int
    display_item_id: int | None

    @property
    def item(self) -> str | None:
        if self.display_item_id is None:
            return None
        return format_item_id(self.display_item_id, self.product_size_id)


async def _display_items_of(session: AsyncSession, store_id: int, variant_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(DisplayItem.variant_id, DisplayItem.id)
        .join(Display, Display.id == DisplayItem.display_id)
        .where(Display.store_id == store_id, DisplayItem.variant_id.in_(ids))
        .order_by(Display.active.desc(), DisplayItem.id)
    )
    found: dict[int, int] = {}
    for variant_id, item_id in rows:
        found.setdefault(variant_id, item_id)
    return found


async def choose_components(
    session: AsyncSession, store_id: int, bundle_size_id: int, chosen: Mapping[int, str | None]
) -> list[ChosenComponent]:
    """The components for one bundle size, from ``{section id: item id or None}``.

    A section left out takes its only variant (fixed bundles, single-option
    sections); an optional section left out stays empty. Errors name the
    section (``sections.<id>``).
    """
    needs = (await needs_for_sizes(session, [bundle_size_id])).get(bundle_size_id)
    if needs is None:
        raise ValidationFailed("this item is not a bundle", field="item")
    known = {need.section_id for need in needs.sections}
    for section_id in chosen:
        if section_id not in known:
            raise NotFound(f"section {section_id} is not in this bundle", field=f"sections.{section_id}")
    picks: list[tuple[SectionNeed, int, int, int | None]] = []
    for need in needs.sections:
        where = f"sections.{need.section_id}"
        item = chosen.get(need.section_id)
        if item is None:
            if need.optional:
                continue
            if len(need.sizes_by_variant) != 1:
                raise ValidationFailed("choose one of this section's products", field=where)
            ((variant_id, sizes),) = need.sizes_by_variant.items()
            if len(sizes) != 1:
                raise ValidationFailed("choose a size for this section", field=where)
            picks.append((need, variant_id, sizes[0], None))
            continue
        try:
            display_item_id, size_id = parse_item_id(item)
        except ValidationFailed:
            raise ValidationFailed(f"{item[:50]!r} is not an item id like '123-45'", field=where) from None
        shown = await session.scalar(
            select(DisplayItem.variant_id)
            .join(Display, Display.id == DisplayItem.display_id)
            .where(DisplayItem.id == display_item_id, Display.store_id == store_id)
        )
        size_variant = await session.scalar(select(ProductSize.variant_id).where(ProductSize.id == size_id))
        if shown is None or size_variant != shown or shown not in need.sizes_by_variant:
            raise NotFound(f"item {item} cannot fill this section", field=where)
        picks.append((need, shown, size_id, display_item_id))
    if not picks:
        raise ValidationFailed("a bundle needs at least one component", field="sections")
    items = await _display_items_of(session, store_id, [v for _n, v, _s, d in picks if d is None])
    return [
        ChosenComponent(need.section_id, need.quantity, variant_id, size_id, display or items.get(variant_id))
        for need, variant_id, size_id, display in picks
    ]


# --- selections ------------------------------------------------------------------------------------


async def choices_of_lines(
    session: AsyncSession, selection_line_ids: Iterable[int]
) -> dict[int, list[ChosenComponent]]:
    """The components chosen for the bundle lines among these selection lines (by selection line pk)."""
    ids = sorted(set(selection_line_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(
            SelectionBundleChoice.selection_line_id,
            SelectionBundleChoice.section_id,
            BundleSection.quantity,
            ProductSize.variant_id,
            SelectionBundleChoice.product_size_id,
            SelectionBundleChoice.display_item_id,
        )
        .join(BundleSection, BundleSection.id == SelectionBundleChoice.section_id)
        .join(ProductSize, ProductSize.id == SelectionBundleChoice.product_size_id)
        .where(SelectionBundleChoice.selection_line_id.in_(ids))
        .order_by(SelectionBundleChoice.selection_line_id, BundleSection.sort_order, BundleSection.id)
    )
    found: dict[int, list[ChosenComponent]] = {}
    for line_id, section_id, quantity, variant_id, size_id, display_item_id in rows:
        found.setdefault(line_id, []).append(
            ChosenComponent(section_id, quantity, variant_id, size_id, display_item_id)
        )
    return found


def choice_key(components: Sequence[ChosenComponent]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((c.section_id, c.product_size_id) for c in components))


def record_choices(session: AsyncSession, selection_line_id: int, components: Sequence[ChosenComponent]) -> None:
    for component in components:
        session.add(
            SelectionBundleChoice(
                selection_line_id=selection_line_id,
                section_id=component.section_id,
                display_item_id=component.display_item_id,
                product_size_id=component.product_size_id,
            )
        )


# --- prices ----------------------------------------------------------------------------------------


def discounted(total_minor: int, discount_bp: int) -> int:
    """The total less the bundle discount, rounded half up to the minor unit."""
    off = (total_minor * discount_bp * 2 + 10000) // 20000
    return total_minor - off


@dataclass(frozen=True)
class BundleLinePrice:
    """One bundle as chosen: what it costs and what each component costs on its own (minor units)."""

    unit_minor: int
    before_minor: int
    # Per chosen component, in order: (price, before-discount price) of one unit.
    components: tuple[tuple[int, int], ...]


def split_price(bundle_price_minor: int, components: Sequence[tuple[int, int]]) -> tuple[list[int], int]:
    """Share one bundle's price over its components in proportion to their own prices.

    ``components`` are (own unit price, units per bundle). Returns the unit
    price of each component and what is left over: the part that cannot be
    put on whole units (it stays on the bundle line, so totals stay exact).
    """
    weight = sum(price * units for price, units in components)
    if weight <= 0:
        return [0 for _c in components], bundle_price_minor
    shares = [bundle_price_minor * price // weight for price, units in components]
    left = bundle_price_minor - sum(share * units for share, (_p, units) in zip(shares, components, strict=True))
    for index, (_price, units) in enumerate(components):
        if left and units == 1:
            shares[index] += left
            left = 0
    return shares, left


# --- orders ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentDraft:
    product_size_id: int
    display_item_id: int | None
    units_per_bundle: int
    unit_price_minor: int
    original_unit_price_minor: int


@dataclass(frozen=True)
class BundleOrderPlan:
    """How one bundle line becomes order lines: its own (no stock) and one per component."""

    bundle_id: int
    quantity: int
    unit_price_minor: int
    # What the components cost at their own prices (the bundle's ``originalPrice``).
    original_unit_price_minor: int
    # The part of the price that stays on the bundle line (rounding), per bundle.
    residual_unit_minor: int
    components: tuple[ComponentDraft, ...] = field(default=())


def plan_order_lines(
    bundle: Bundle, quantity: int, price: BundleLinePrice, components: Sequence[ChosenComponent]
) -> BundleOrderPlan:
    own = [(p, c.quantity) for (p, _b), c in zip(price.components, components, strict=True)]
    shares, residual = split_price(price.unit_minor, own)
    drafts = tuple(
        ComponentDraft(
            product_size_id=c.product_size_id,
            display_item_id=c.display_item_id,
            units_per_bundle=c.quantity,
            unit_price_minor=share,
            original_unit_price_minor=max(p, share),
        )
        for c, share, (p, _b) in zip(components, shares, price.components, strict=True)
    )
    original = sum(p * c.quantity for (p, _b), c in zip(price.components, components, strict=True))
    return BundleOrderPlan(bundle.id, quantity, price.unit_minor, max(original, price.unit_minor), residual, drafts)


async def link_order_lines_in(
    session: AsyncSession, bundle_line_id: int, component_line_ids: Sequence[int], plan: BundleOrderPlan
) -> None:
    """Record which order lines make up a bundle line (same transaction as the order)."""
    session.add(
        OrderBundleLine(
            order_line_id=bundle_line_id,
            bundle_id=plan.bundle_id,
            unit_price_minor=plan.unit_price_minor,
            original_unit_price_minor=plan.original_unit_price_minor,
        )
    )
    for line_id, component in zip(component_line_ids, plan.components, strict=True):
        session.add(
            OrderBundleComponent(
                order_line_id=line_id, bundle_line_id=bundle_line_id, quantity_per_bundle=component.units_per_bundle
            )
        )
    await session.flush()


@dataclass(frozen=True)
class OrderBundleInfo:
    """The bundle structure of some orders: bundle lines and the lines they are made of."""

    # bundle order line id -> (bundle id, unit price, original unit price)
    bundles: Mapping[int, tuple[int | None, int, int]] = field(default_factory=dict)
    # component order line id -> bundle order line id
    part_of: Mapping[int, int] = field(default_factory=dict)
    # component order line id -> units of it in one bundle
    per_bundle: Mapping[int, int] = field(default_factory=dict)

    def components_of(self, bundle_line_id: int) -> list[int]:
        return sorted(line for line, parent in self.part_of.items() if parent == bundle_line_id)


async def order_bundle_info(session: AsyncSession, order_line_ids: Iterable[int]) -> OrderBundleInfo:
    ids = sorted(set(order_line_ids))
    bundles: dict[int, tuple[int | None, int, int]] = {}
    part_of: dict[int, int] = {}
    per_bundle: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for line_id, bundle_id, price, original in await session.execute(
            select(
                OrderBundleLine.order_line_id,
                OrderBundleLine.bundle_id,
                OrderBundleLine.unit_price_minor,
                OrderBundleLine.original_unit_price_minor,
            ).where(OrderBundleLine.order_line_id.in_(chunk))
        ):
            bundles[line_id] = (bundle_id, price, original)
        for line_id, parent, units in await session.execute(
            select(
                OrderBundleComponent.order_line_id,
                OrderBundleComponent.bundle_line_id,
                OrderBundleComponent.quantity_per_bundle,
            ).where(OrderBundleComponent.order_line_id.in_(chunk))
        ):
            part_of[line_id] = parent
            per_bundle[line_id] = units
    return OrderBundleInfo(bundles, part_of, per_bundle)


async def bundle_lines_as_components(session: AsyncSession, lines: Mapping[int, int]) -> dict[int, int]:
    """``{order line id: units}`` with bundle lines replaced by their component lines.

    Shipping a bundle ships its components (they hold the stock): n bundles
    are n times each component's units per bundle. Other lines pass through.
    """
    ids = sorted(lines)
    if not ids:
        return {}
    rows = list(
        await session.execute(
            select(
                OrderBundleComponent.bundle_line_id,
                OrderBundleComponent.order_line_id,
                OrderBundleComponent.quantity_per_bundle,
            ).where(OrderBundleComponent.bundle_line_id.in_(ids))
        )
    )
    if not rows:
        return dict(lines)
    expanded = {line_id: units for line_id, units in lines.items() if line_id not in {r[0] for r in rows}}
    for bundle_line_id, component_line_id, per_bundle in rows:
        expanded[component_line_id] = expanded.get(component_line_id, 0) + lines[bundle_line_id] * per_bundle
    return expanded


# --- reading for the APIs ---------------------------------------------------------------------------


async def is_bundle_size(session: AsyncSession, product_size_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(product_size_ids))
    if not ids:
        return set()
    return set(
        await session.scalars(
            select(ProductSize.id)
            .join(Bundle, Bundle.variant_id == ProductSize.variant_id)
            .where(ProductSize.id.in_(ids))
        )
    )


async def bundle_product_ids(session: AsyncSession) -> set[int]:
    return set(
        await session.scalars(
            select(Product.id).join(ProductVariant).join(Bundle, Bundle.variant_id == ProductVariant.id)
        )
    )


__all__ = [
    "BundleChanges",
    "BundleLinePrice",
    "BundleOrderPlan",
    "BundleSizeNeeds",
    "ChosenComponent",
    "OrderBundleInfo",
    "SectionNeed",
    "SectionSpec",
    "bundle_of_variant",
    "bundle_units",
    "bundles_of_variants",
    "choices_of_lines",
    "choose_components",
    "create_bundle",
    "create_bundle_in",
    "get_bundle",
    "link_order_lines_in",
    "needs_for_sizes",
    "order_bundle_info",
    "plan_order_lines",
    "split_price",
    "units_possible",
    "update_bundle",
    "update_bundle_in",
]
