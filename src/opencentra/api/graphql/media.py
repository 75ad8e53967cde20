"""Product media: ``ProductMedia`` (with ``source`` and ``metaDataJSON``), and media batches.

``createMediaBatch`` takes image URLs; OpenCentra serves media from the URL
it is given (no image store, no resizing), so the batch completes in the
call that creates it and ``mediaBatch`` reports it ``COMPLETED``. There is
one media size: ``source(sizeName:)`` answers the original whatever size is
named, with that name. See docs/compatibility/graphql.md.
"""

from __future__ import annotations

import enum
import mimetypes
from typing import Any
from urllib.parse import urlsplit

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.errors import DomainError

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


def _kind() -> str:
    return "image"


@strawberry.type
class MediaSource:
    media_size: MediaSize
    url: str
    mime_type: str | None
    type: str = strawberry.field(resolver=_kind, description="The kind of file: image.")


def mime_type_of(url: str) -> str | None:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed


def _source(root: ProductMedia, size_name: str | None = None) -> MediaSource:
    return MediaSource(media_size=MediaSize(name=size_name or ORIGINAL), url=root.url, mime_type=mime_type_of(root.url))


async def _meta_data_json(root: ProductMedia, info: Info[Any, Any]) -> str | None:
    found: str | None = await info.context.loaders.keyed("media_meta_data", catalog.media_meta_data).load(root.id)
    return found


def _image() -> MediaType:
    return MediaType.IMAGE


@strawberry.type
class ProductMedia:
    source: MediaSource = strawberry.field(
        resolver=_source, description="The image in a named size; OpenCentra answers the original for any name."
    )
    meta_data_json: str | None = strawberry.field(
        resolver=_meta_data_json,
        name="metaDataJSON",
        description="The JSON text given when the media was added, if any.",
    )
    media_type: MediaType = strawberry.field(resolver=_image)
    id: int
    url: str
    alt_text: str
    sort_order: int

    @classmethod
    def of(cls, view: catalog.MediaView) -> ProductMedia:
        return cls(id=view.id, url=view.url, alt_text=view.alt_text, sort_order=view.sort_order)


# --- media batches -----------------------------------------------------------------------------


@strawberry.enum
class MediaBatchStatus(enum.Enum):
    QUEUED = "QUEUED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


_STATUS = {
    catalog.MediaBatchStatus.QUEUED: MediaBatchStatus.QUEUED,
    catalog.MediaBatchStatus.COMPLETED: MediaBatchStatus.COMPLETED,
    catalog.MediaBatchStatus.FAILED: MediaBatchStatus.FAILED,
}


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
    def of(cls, view: catalog.MediaBatchItemView) -> MediaBatchItem:
        return cls(
            product_id=view.product_id,
            variant_id=view.variant_id,
            url=view.url,
            completed=view.media_id is not None,
            media_type=MediaType.IMAGE,
            key=None if view.media_id is None else str(view.media_id),
            meta_data_json=view.meta_data_json,
            _media_id=view.media_id,
        )

    @strawberry.field
    async def product_media(self, info: Info[Any, Any]) -> ProductMedia | None:
        if self._media_id is None:
            return None
        found = await info.context.loaders.keyed("media", catalog.media_by_id).load(self._media_id)
        return None if found is None else ProductMedia.of(found)


@strawberry.type
class MediaBatch:
    queue_id: str
    status: MediaBatchStatus
    product_media: list[MediaBatchItem]

    @classmethod
    def of(cls, view: catalog.MediaBatchView) -> MediaBatch:
        return cls(
            queue_id=view.queue_id,
            status=_STATUS[view.status],
            product_media=[MediaBatchItem.of(item) for item in view.items],
        )


async def resolve_media_batch(info: Info[Any, Any], queue_id: str) -> MediaBatch | None:
    """A batch this integration created, by the ``queueId`` ``createMediaBatch`` answered."""
    context: GraphQLContext = info.context
    try:
        return MediaBatch.of(await catalog.media_batch(context.db, context.token.name, queue_id))
    except DomainError:
        return None


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
        catalog.MediaItemSpec(
            product_id=item.product_id, url=item.url, variant_id=item.variant_id, meta_data_json=item.meta_data_json
        )
        for item in input.product_media
    ]
    try:
        batch = await catalog.create_media_batch(context.db, context.token.name, specs)
    except DomainError as error:
        path = ["input", *(error.field or "productMedia").split(".")]
        return MediaBatchPayload(
            queue_id=None, media_batch=None, user_errors=[UserError(message=error.message, path=path)], user_warnings=[]
        )
    await context.after_write()
    return MediaBatchPayload(
        queue_id=batch.queue_id, media_batch=MediaBatch.of(batch), user_errors=[], user_warnings=[]
    )


def _root(resolver: Any, permission: str, description: str | None = None) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class MediaBatchQuery:
    media_batch: MediaBatch | None = _root(
        resolve_media_batch, "ProductMedia:read", "A media batch this integration created, by its queueId."
    )


@strawberry.type
class MediaBatchMutation:
    create_media_batch: MediaBatchPayload = _root(create_media_batch, "ProductMedia:write")
