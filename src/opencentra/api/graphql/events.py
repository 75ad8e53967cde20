"""The events system: listeners per integration, the oldest unconfirmed events, confirming them.

Events come from the one outbox every domain service writes. Each GraphQL
integration is an outbox consumer named ``graphql:<token name>`` (tokens with
one name share the queue, as Centra's ``integrationName`` does). Its listeners
are stored as ``<ObjectType>:<CHANGE_TYPE>`` entries in the consumer's
``object_types``; a consumer whose listeners were all unset keeps the entry
``"-"``, because an empty list means "everything" to the outbox.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from opencentra import catalog, customers, events, orders
from opencentra.api.graphql.catalog import Brand, Collection, Display, Product, ProductSize, ProductVariant
from opencentra.api.graphql.common import DateTimeTz, UserError, UserWarning, input_error, page_window, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Customer
from opencentra.api.graphql.orders import (
    DirectToConsumerOrder,
    DirectToConsumerReturn,
    DirectToConsumerShipment,
    WholesaleOrder,
    WholesaleReturn,
    WholesaleShipment,
    load_order,
    load_shipment,
    order_public_id,
    return_object,
)
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Market, Store, load_store
from opencentra.errors import DomainError


@strawberry.enum
class EventObjectType(enum.Enum):
    Account = "Account"
    AdminUser = "AdminUser"
    Brand = "Brand"
    Buyer = "Buyer"
    Campaign = "Campaign"
    Category = "Category"
    Collection = "Collection"
    Customer = "Customer"
    DeliveryWindow = "DeliveryWindow"
    Display = "Display"
    Market = "Market"
    MeasurementChart = "MeasurementChart"
    Order = "Order"
    Pricelist = "Pricelist"
    Product = "Product"
    ProductSize = "ProductSize"
    ProductVariant = "ProductVariant"
    Return = "Return"
    Shipment = "Shipment"
    SizeChart = "SizeChart"
    Voucher = "Voucher"
    Warehouse = "Warehouse"


@strawberry.enum
class EventChangeType(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    COMPLETED = "COMPLETED"
    DEPENDENT_DATA_CHANGED = "DEPENDENT_DATA_CHANGED"


# Outbox object types (written by the domain services) and Centra's names for them.
OUTBOX_TYPES: dict[EventObjectType, str] = {
    EventObjectType.Order: "order",
    EventObjectType.Shipment: "shipment",
    EventObjectType.Return: "return",
    EventObjectType.Customer: "customer",
    EventObjectType.Brand: "brand",
    EventObjectType.Collection: "collection",
    EventObjectType.Product: "product",
    EventObjectType.ProductVariant: "variant",
    EventObjectType.ProductSize: "stock",
    EventObjectType.Display: "display",
    EventObjectType.Voucher: "voucher",
    EventObjectType.Campaign: "campaign",
    EventObjectType.Category: "category",
    EventObjectType.Market: "market",
    EventObjectType.Pricelist: "pricelist",
    EventObjectType.Warehouse: "warehouse",
    EventObjectType.SizeChart: "size_chart",
    EventObjectType.MeasurementChart: "measurement_chart",
    EventObjectType.Account: "account",
    EventObjectType.Buyer: "buyer",
    EventObjectType.DeliveryWindow: "delivery_window",
}
# Further outbox types reported as the same Centra type (a size activated on a variant).
MORE_OUTBOX_TYPES: dict[EventObjectType, tuple[str, ...]] = {EventObjectType.ProductSize: ("product_size",)}
CENTRA_TYPES = {outbox: centra for centra, outbox in OUTBOX_TYPES.items()} | {
    outbox: centra for centra, more in MORE_OUTBOX_TYPES.items() for outbox in more
}

# Outbox actions with a change type of their own; every other action is an update.
_ACTIONS = {
    EventChangeType.CREATED: "created",
    EventChangeType.DELETED: "deleted",
    EventChangeType.COMPLETED: "completed",
}
_NO_LISTENERS = "-"


def change_type(action: str) -> EventChangeType:
    for change, name in _ACTIONS.items():
        if action == name:
            return change
    return EventChangeType.UPDATED


def _selection(kinds: list[str], changes: set[EventChangeType]) -> events.EventSelection:
    """The outbox events of ``kinds`` with one of these change types (``UPDATED``: any other action)."""
    return events.EventSelection(
        object_types=tuple(kinds),
        actions=tuple(_ACTIONS[c] for c in changes if c in _ACTIONS),
        any_action_except=tuple(_ACTIONS.values()) if EventChangeType.UPDATED in changes else None,
    )


EventObject = Annotated[
    DirectToConsumerOrder
    | WholesaleOrder
    | DirectToConsumerShipment
    | WholesaleShipment
    | DirectToConsumerReturn
    | WholesaleReturn
    | Customer
    | Brand
    | Collection
    | Product
    | ProductVariant
    | ProductSize
    | Display,
    strawberry.union("EventObject"),
]

_OBJECT_PERMISSIONS = {
    "order": "Order:read",
    "shipment": "Shipment:read",
    "return": "Return:read",
    "customer": "Customer:read",
    "brand": "Brand:read",
    "collection": "Collection:read",
    "product": "Product:read",
    "variant": "ProductVariant:read",
    "stock": "ProductSize:read",
    "product_size": "ProductSize:read",
    "display": "Display:read",
}


@strawberry.type
class Event:
    id: int
    object_type: EventObjectType | None
    change_type: EventChangeType
    object_reference: str
    created_at: DateTimeTz
    _row: strawberry.Private[events.PendingEvent]

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store | None:
        return None if self._row.store_id is None else await load_store(info, self._row.store_id)

    @strawberry.field
    def market(self) -> Market | None:
        return None

    @strawberry.field
    async def object(self, info: Info[Any, Any]) -> EventObject | None:
        kind, object_id = self._row.object_type, _object_id(self._row)
        permission = _OBJECT_PERMISSIONS.get(kind)
        if permission is None or object_id is None:
            return None
        check(info, permission)
        loaders = info.context.loaders
        found: Any
        if kind == "order":
            return await load_order(info, object_id)  # type: ignore[return-value]
        if kind == "shipment":
            return await load_shipment(info, object_id)  # type: ignore[return-value]
        if kind == "return":
            returned = await loaders.keyed("returns", orders.returns_by_id).load(object_id)
            order = None if returned is None else await loaders.order.load(returned.order_id)
            return None if returned is None or order is None else return_object(returned, order)  # type: ignore[return-value]
        # The read views every other field of these types is built from, through the request's loaders.
        simple: dict[str, tuple[Any, Any]] = {
            "customer": (loaders.keyed("customers", customers.customers_by_id), Customer),
            "brand": (loaders.keyed("brands", catalog.brands_by_id), Brand),
            "collection": (loaders.keyed("collections", catalog.collections_by_id), Collection),
            "product": (loaders.product, Product),
            "variant": (loaders.variant, ProductVariant),
            "stock": (loaders.product_size, ProductSize),
            "product_size": (loaders.product_size, ProductSize),
            "display": (loaders.display, Display),
        }
        loader, wrapper = simple[kind]
        found = await loader.load(object_id)
        return None if found is None else wrapper.of(found)


def _object_id(row: events.PendingEvent) -> int | None:
    if row.object_type == "stock":
        value = row.payload.get("product_size_id")
        return value if isinstance(value, int) else None
    return row.object_id


def event_object(row: events.PendingEvent) -> Event:
    object_id = _object_id(row) or row.object_id
    reference = order_public_id(object_id) if row.object_type == "order" else str(object_id)
    return Event(
        id=row.id,
        object_type=CENTRA_TYPES.get(row.object_type),
        change_type=change_type(row.action),
        object_reference=reference,
        created_at=row.created_at,
        _row=row,
    )


@strawberry.type
class EventListener:
    object_type: EventObjectType
    change_types: list[EventChangeType]
    integration_name: str | None = None
    # Kept per integration, not per object type: when it first listened, when its listeners last changed.
    created_at: DateTimeTz | None = None
    updated_at: DateTimeTz | None = None


@strawberry.input
class EventListenerInput:
    object_type: EventObjectType
    change_types: list[EventChangeType] | None = strawberry.field(
        default=None, description="Omitted: every change type."
    )


@strawberry.input
class EventFilter:
    object_type: list[EventObjectType] | None = None
    change_type: list[EventChangeType] | None = None
    store_id: int | None = None
    market_id: int | None = None


def parse_listeners(entries: Iterable[str]) -> dict[EventObjectType, set[EventChangeType]]:
    listeners: dict[EventObjectType, set[EventChangeType]] = defaultdict(set)
    for entry in entries:
        kind, _, change = entry.partition(":")
        if kind in EventObjectType.__members__ and change in EventChangeType.__members__:
            listeners[EventObjectType[kind]].add(EventChangeType[change])
    return listeners


def format_listeners(listeners: dict[EventObjectType, set[EventChangeType]]) -> list[str]:
    entries = [f"{kind.value}:{change.value}" for kind, changes in listeners.items() for change in changes]
    return sorted(entries) or [_NO_LISTENERS]


def listener_objects(
    listeners: dict[EventObjectType, set[EventChangeType]], consumer: events.ConsumerView | None = None
) -> list[EventListener]:
    order = list(EventChangeType)
    created = consumer.created_at if consumer is not None else None
    updated = (consumer.listeners_updated_at or consumer.created_at) if consumer is not None else None
    return [
        EventListener(
            object_type=kind, change_types=sorted(changes, key=order.index), created_at=created, updated_at=updated
        )
        for kind, changes in sorted(listeners.items(), key=lambda item: item[0].value)
        if changes
    ]


async def _consumer(context: GraphQLContext) -> events.ConsumerView | None:
    async with context.read() as session:
        return await events.find_consumer(session, context.consumer)


async def resolve_event_listeners(info: Info[Any, Any]) -> list[EventListener]:
    consumer = await _consumer(info.context)
    return [] if consumer is None else listener_objects(parse_listeners(consumer.object_types), consumer)


async def resolve_events(
    info: Info[Any, Any], where: EventFilter | None = None, limit: int | None = None
) -> list[Event]:
    """The oldest events this integration listens to and has not confirmed."""
    context: GraphQLContext = info.context
    size, _ = page_window(limit, None)
    consumer = await _consumer(context)
    if consumer is None or size == 0:
        return []
    listeners = parse_listeners(consumer.object_types)
    wanted_types = set(where.object_type) if where is not None and where.object_type else None
    wanted_changes = set(where.change_type) if where is not None and where.change_type else None
    selections: list[events.EventSelection] = []
    for kind, changes in listeners.items():
        outbox = OUTBOX_TYPES.get(kind)
        if outbox is None or (wanted_types is not None and kind not in wanted_types):
            continue
        selected = changes if wanted_changes is None else changes & wanted_changes
        if selected:
            kinds = [outbox, *MORE_OUTBOX_TYPES.get(kind, ())]
            selections.append(_selection(kinds, selected))
    if not selections:
        return []
    store_id = where.store_id if where is not None else None
    if context.store_id is not None:
        if store_id is not None and store_id != context.store_id:
            return []
        store_id = context.store_id
    async with context.read() as session:
        found = await events.unconfirmed_events(session, consumer, selections, store_id=store_id, limit=size)
    return [event_object(row) for row in found]


# --- mutations ------------------------------------------------------------------------------


@strawberry.type
class EventListenersPayload:
    event_listeners: list[EventListener]
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.type
class ConfirmEventsPayload:
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.input
class ConfirmEventsInput:
    events_ids: list[int]


async def _change_listeners(
    info: Info[Any, Any], requested: list[EventListenerInput], *, add: bool
) -> EventListenersPayload:
    context: GraphQLContext = info.context
    consumer = await _consumer(context)
    listeners = parse_listeners(consumer.object_types) if consumer is not None else defaultdict(set)
    warnings: list[UserWarning] = []
    for index, change in enumerate(requested):
        changes = set(change.change_types) if change.change_types is not None else set(EventChangeType)
        if not changes:
            warnings.append(UserWarning(message="no change types given", path=["input", str(index), "changeTypes"]))
        if change.object_type not in OUTBOX_TYPES:
            warnings.append(
                UserWarning(
                    message=f"OpenCentra records no {change.object_type.value} events yet",
                    path=["input", str(index), "objectType"],
                )
            )
        if add:
            listeners[change.object_type] |= changes
        else:
            listeners[change.object_type] -= changes
    entries = format_listeners(listeners)
    try:
        consumer = await events.listen(context.db, context.consumer, entries, registered=consumer is not None)
    except DomainError as error:
        return EventListenersPayload(
            event_listeners=[], user_errors=[user_error(error, "input")], user_warnings=warnings
        )
    await context.after_write()
    return EventListenersPayload(
        event_listeners=listener_objects(parse_listeners(entries), consumer), user_errors=[], user_warnings=warnings
    )


async def set_event_listeners(info: Info[Any, Any], input: list[EventListenerInput]) -> EventListenersPayload:
    return await _change_listeners(info, input, add=True)


async def unset_event_listeners(info: Info[Any, Any], input: list[EventListenerInput]) -> EventListenersPayload:
    return await _change_listeners(info, input, add=False)


async def confirm_events(info: Info[Any, Any], input: ConfirmEventsInput) -> ConfirmEventsPayload:
    context: GraphQLContext = info.context
    if len(input.events_ids) > 10_000:
        raise input_error("confirm at most 10000 events at once", "input")
    if await _consumer(context) is None:
        error = UserError(message="this integration has no event listeners", path=["input", "eventsIds"])
        return ConfirmEventsPayload(user_errors=[error], user_warnings=[])
    try:
        marked = await events.mark_done(context.db, context.consumer, input.events_ids)
    except DomainError as error:
        return ConfirmEventsPayload(user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    warnings = []
    skipped = len(set(input.events_ids)) - marked
    if skipped > 0:
        warnings.append(
            UserWarning(message=f"{skipped} events were unknown or already confirmed", path=["input", "eventsIds"])
        )
    return ConfirmEventsPayload(user_errors=[], user_warnings=warnings)
