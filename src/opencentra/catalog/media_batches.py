"""Media batches: attach images to products by URL, many at a time (``createMediaBatch``).

OpenCentra serves product media from the URL it is given (it keeps no image
store of its own), so a batch needs no download: every item becomes product
media in the same transaction that records the batch, and the batch is
``completed`` as soon as it exists. A batch whose items fail validation is
refused whole and nothing is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from opencentra.catalog.models import Media, Product, ProductVariant
from opencentra.catalog.pim_models import MediaBatch, MediaBatchItem, MediaBatchStatus
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox

MAX_BATCH_ITEMS = 100
"""Centra's documented maximum per ``createMediaBatch`` call."""

MAX_URL_LENGTH = 2048
MAX_META_DATA_LENGTH = 65_535


@dataclass(frozen=True)
class MediaItemSpec:
    product_id: int
    url: str
    variant_id: int | None = None
    meta_data_json: str | None = None


def check_url(url: str, *, field: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > MAX_URL_LENGTH:
        raise ValidationFailed(f"{url!r} is not an http(s) URL of at most {MAX_URL_LENGTH} characters", field=field)
    return text


async def create_media_batch(db: Database, integration: str, items: list[MediaItemSpec]) -> MediaBatch:
    """Record a batch and add each item as product media, after the product's current media."""
    if not items:
        raise ValidationFailed("give at least one productMedia", field="productMedia")
    if len(items) > MAX_BATCH_ITEMS:
        raise ValidationFailed(f"at most {MAX_BATCH_ITEMS} media per batch", field="productMedia")
    urls = [check_url(item.url, field=f"productMedia.{index}.url") for index, item in enumerate(items)]
    for index, item in enumerate(items):
        if item.meta_data_json is not None and len(item.meta_data_json) > MAX_META_DATA_LENGTH:
            raise ValidationFailed("metaDataJSON is too long", field=f"productMedia.{index}.metaDataJSON")
    async with db.write() as session:
        product_ids = {item.product_id for item in items}
        known = set(await session.scalars(select(Product.id).where(Product.id.in_(product_ids))))
        variant_ids = {item.variant_id for item in items if item.variant_id is not None}
        variants = dict(
            (
                await session.execute(
                    select(ProductVariant.id, ProductVariant.product_id).where(ProductVariant.id.in_(variant_ids))
                )
            ).all()
        )
        for index, item in enumerate(items):
            if item.product_id not in known:
                raise NotFound(
                    f"Could not find Product with ID {item.product_id}", field=f"productMedia.{index}.productId"
                )
            if item.variant_id is not None and variants.get(item.variant_id) != item.product_id:
                raise NotFound(
                    f"Could not find ProductVariant with ID {item.variant_id} on product {item.product_id}",
                    field=f"productMedia.{index}.variantId",
                )
        last = dict(
            (
                await session.execute(
                    select(Media.product_id, func.max(Media.sort_order))
                    .where(Media.product_id.in_(product_ids))
                    .group_by(Media.product_id)
                )
            ).all()
        )
        batch = MediaBatch(
            queue_id=secrets.token_hex(16), integration_name=integration, status=MediaBatchStatus.COMPLETED.value
        )
        session.add(batch)
        await session.flush()
        for position, (item, url) in enumerate(zip(items, urls, strict=True)):
            sort_order = (last.get(item.product_id) or 0) + 1 if item.product_id in last else 0
            last[item.product_id] = sort_order
            media = Media(product_id=item.product_id, variant_id=item.variant_id, url=url, sort_order=sort_order)
            session.add(media)
            await session.flush()
            session.add(
                MediaBatchItem(
                    batch_id=batch.id,
                    position=position,
                    product_id=item.product_id,
                    variant_id=item.variant_id,
                    url=url,
                    meta_data_json=item.meta_data_json,
                    media_id=media.id,
                )
            )
            await outbox.record(session, "product", item.product_id, "updated", {"media_added": media.id})
        await session.flush()
        return batch


async def find_batch(db: Database, integration: str, queue_id: str) -> tuple[MediaBatch, list[MediaBatchItem]]:
    """A batch and its items; batches of other integrations are not found."""
    async with db.read() as session:
        batch = await session.scalar(
            select(MediaBatch).where(MediaBatch.queue_id == queue_id, MediaBatch.integration_name == integration)
        )
        if batch is None:
            raise NotFound(f"Could not find media batch {queue_id}", field="queueId")
        items = (
            await session.scalars(
                select(MediaBatchItem).where(MediaBatchItem.batch_id == batch.id).order_by(MediaBatchItem.position)
            )
        ).all()
        return batch, list(items)
