"""events domain."""

# The SOAP ERP API's queue: pending events read per call by type (appended; see events.consumers).
from opencentra.events.consumers import PendingEvent, ensure_consumer, pending_events
from opencentra.events.services import MAX_BATCH, mark_done

__all__ = ["MAX_BATCH", "PendingEvent", "ensure_consumer", "mark_done", "pending_events"]

# The GraphQL events system: a consumer's listeners and the unconfirmed events they select (appended).
from opencentra.events.listeners import ConsumerView, EventSelection, find_consumer, listen, unconfirmed_events

__all__ += ["ConsumerView", "EventSelection", "find_consumer", "listen", "unconfirmed_events"]

# How far each consumer is behind, for the operators' metrics (appended; see events.lag).
from opencentra.events.lag import ConsumerLag, consumer_lags  # noqa: E402 - appended after the __all__ above

__all__ += ["ConsumerLag", "consumer_lags"]

# The admin UI's operations page: the newest events (appended; see events.recent).
from opencentra.events.recent import EventView, recent_events  # noqa: E402 - appended after the __all__ above

__all__ += ["EventView", "recent_events"]
