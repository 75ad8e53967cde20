"""Product media extras: ``source``, ``metaDataJSON``, and media batches.

``createMediaBatch`` takes image URLs; OpenCentra serves media from the URL
it is given (no image store, no resizing), so the batch completes in the
call that creates it and ``mediaBatch`` reports it ``COMPLETED``. There is
one media size: ``source(sizeName:)`` answers the original whatever size is
named, with that name. See docs/compatibility/graphql.md.
"""

from __future__ import annotations

import enum
import mimetypes
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import strawberry
from strawberry.types import Info

from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.catalog import media_batches as service
from opencentra.catalog.pim_models import MediaBatch as MediaBatchRow
from opencentra.catalog.pim_models import MediaBatchItem as MediaBatchItemRow
from opencentra.catalog.pim_models import MediaBatchStatus as StoredStatus
from opencentra.errors import DomainError

if TYPE_CHECKING:
    from opencentra.api.graphql.catalog import ProductMedia

LazyProductMedia = Annotated["ProductMedia", strawberry.lazy("opencentra.api.graphql.catalog")]

ORIGINAL = "original"


@strawberry.enum
class MediaType(enum.Enum):
    IMAGE = "IMAGE"


@strawberry.type(description="A stored size of an image; OpenCentra keeps the original only.")
class MediaSize:
    name: str
    quality: int | None = None
    max_width: int | None = None
    max_height: int | None = None


@strawberry.type
class MediaSource:
    media_size: MediaSize
    url: str
    mime_type: str | None

    @strawberry.field(description="The kind of file: image.")  # type: ignore[untyped-decorator]
    def type(self) -> str:
        return "image"


def mime_type_of(url: str) -> str | None:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed


async def meta_data_json(info: Info[Any, Any], media_id: int) -> str | None:
    row = await info.context.loaders.one(MediaBatchItemRow, MediaBatchItemRow.media_id).load(media_id)
    return None if row is None else row.meta_data_json


@strawberry.type
class ProductMediaExtras:
    """Fields added to ``ProductMedia`` (a mixin: it holds ``id`` and ``url``)."""

    @strawberry.field(description="The image in a named size; OpenCentra answers the original for any name.")  # type: ignore[untyped-decorator]
    def source(self, size_name: str | None = None) -> MediaSource:
        url: str = self.url  # type: ignore[attr-defined]
        return MediaSource(media_size=MediaSize(name=size_name or ORIGINAL), url=url, mime_type=mime_type_of(url))

    @strawberry.field(name="metaDataJSON", description="The JSON text given when the media was added, if any.")  # type: ignore[untyped-decorator]
    async def meta_data_json(self, info: Info[Any, Any]) -> str | None:
        return await meta_data_json(info, int(self.id))  # type: ignore[attr-defined]

    @strawberry.field
    def media_type(self) -> MediaType:
        return MediaType.IMAGE


# --- media batches -----------------------------------------------------------------------------


@strawberry.enum
class MediaBatchStatus(enum.Enum):
    QUEUED = "QUEUED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


@strawberry.type
class MediaBatchItem:
    product_id: int
    variant_id: int | None
    url: str
    completed: bool
    media_type: MediaType
    key: str | None = strawberry.field(description="The id of the product media it became.")
    meta_data_json: str | None = strawberry.field(name="metaDataJSON")
    _media_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: MediaBatchItemRow) -> MediaBatchItem:
        return cls(
            product_id=row.product_id,
            variant_id=row.variant_id,
            url=row.url,
            completed=row.media_id is not None,
            media_type=MediaType.IMAGE,
            key=None if row.media_id is None else str(row.media_id),
            meta_data_json=row.meta_data_json,
            _media_id=row.media_id,
        )

    @strawberry.field
    async def product_media(self, info: Info[Any, Any]) -> LazyProductMedia | None:
        from opencentra.api.graphql.catalog import ProductMedia
        from opencentra.catalog.models import Media

        if self._media_id is None:
            return None
        row = await info.context.loaders.one(Media).load(self._media_id)
        return None if row is None else ProductMedia.of(row)


@strawberry.type
class MediaBatch:
    queue_id: str
    status: MediaBatchStatus
    product_media: list[MediaBatchItem]

    @classmethod
    def of(cls, row: MediaBatchRow, items: list[MediaBatchItemRow]) -> MediaBatch:
        status = {
            StoredStatus.QUEUED.value: MediaBatchStatus.QUEUED,
            StoredStatus.COMPLETED.value: MediaBatchStatus.COMPLETED,
        }.get(row.status, MediaBatchStatus.FAILED)
        return cls(queue_id=row.queue_id, status=status, product_media=[MediaBatchItem.of(i) for i in items])


async def resolve_media_batch(info: Info[Any, Any], queue_id: str) -> MediaBatch | None:
    """A batch this integration created, by the ``queueId`` ``createMediaBatch`` answered."""
    context: GraphQLContext = info.context
    try:
        batch, items = await service.find_batch(context.db, context.token.name, queue_id)
    except DomainError:
        return None
    return MediaBatch.of(batch, items)


@strawberry.input
class MediaBatchItemInput:
    product_id: int
    url: str
    variant_id: int | None = None
    meta_data_json: str | None = strawberry.field(name="metaDataJSON", default=None)


@strawberry.input
class MediaBatchCreateInput:
    product_media: list[MediaBatchItemInput]


@strawberry.type
class MediaBatchPayload:
    queue_id: str | None
    media_batch: MediaBatch | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_media_batch(info: Info[Any, Any], input: MediaBatchCreateInput) -> MediaBatchPayload:
    """Add up to 100 images to products (and optionally a variant) by URL, all or none."""
    context: GraphQLContext = info.context
    specs = [
        service.MediaItemSpec(
            product_id=item.product_id, url=item.url, variant_id=item.variant_id, meta_data_json=item.meta_data_json
        )
        for item in input.product_media
    ]
    try:
        batch = await service.create_media_batch(context.db, context.token.name, specs)
        _, items = await service.find_batch(context.db, context.token.name, batch.queue_id)
    except DomainError as error:
        path = ["input", *(error.field or "productMedia").split(".")]
        return MediaBatchPayload(
            queue_id=None, media_batch=None, user_errors=[UserError(message=error.message, path=path)], user_warnings=[]
        )
    await context.after_write()
    return MediaBatchPayload(
        queue_id=batch.queue_id, media_batch=MediaBatch.of(batch, items), user_errors=[], user_warnings=[]
    )
