"""The subscription root fields, composed once for ``schema.py``: the queries (``Subscription:read``)
and the mutations (``Subscription:write``, in ``subscription_contracts_mutations``)."""

from __future__ import annotations

from typing import Any

import strawberry

from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.subscription_contracts import (
    READ,
    Subscription,
    SubscriptionContract,
    resolve_subscription,
    resolve_subscription_contract,
    resolve_subscription_contracts,
    resolve_subscriptions,
)
from opencentra.api.graphql.subscription_contracts_mutations import SubscriptionContractMutation

__all__ = ["SubscriptionContractMutation", "SubscriptionContractQuery"]


def _read(resolver: Any, description: str) -> Any:
    return strawberry.field(resolver=resolver, extensions=[Require(READ)], description=description)


@strawberry.type
class SubscriptionContractQuery:
    subscription_contracts: list[SubscriptionContract] = _read(
        resolve_subscription_contracts, "Subscription contracts, newest last unless sorted; where, sort, limit, page."
    )
    subscription_contract: SubscriptionContract | None = _read(
        resolve_subscription_contract, "A subscription contract by its id."
    )
    subscriptions: list[Subscription] = _read(
        resolve_subscriptions, "Subscriptions of every contract; where, sort, limit, page."
    )
    subscription: Subscription | None = _read(resolve_subscription, "A subscription by its id.")
