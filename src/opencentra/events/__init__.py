"""events domain."""

from opencentra.events.consumers import PendingEvent, ensure_consumer, pending_events
from opencentra.events.lag import ConsumerLag, consumer_lags
from opencentra.events.listeners import ConsumerView, EventSelection, find_consumer, listen, unconfirmed_events
from opencentra.events.recent import EventView, recent_events
from opencentra.events.services import MAX_BATCH, mark_done

__all__ = [
    "MAX_BATCH",
    "ConsumerLag",
    "ConsumerView",
    "EventSelection",
    "EventView",
    "PendingEvent",
    "consumer_lags",
    "ensure_consumer",
    "find_consumer",
    "listen",
    "mark_done",
    "pending_events",
    "recent_events",
    "unconfirmed_events",
]
