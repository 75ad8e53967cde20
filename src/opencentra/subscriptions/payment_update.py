"""Updating the stored payment of a shopper's contracts (Centra's ``/customer/stored/payment[-result]``).

A shopper whose card expired pays again for a set of their contracts: the
provider's payment is started for nothing (amount 0: only the method is
tokenised), the shopper visits the provider's page if it has one, and the
result is verified. The new stored method then pays the renewals of every
contract in the set, and subscriptions whose payment had failed are due again
at once (their retry schedule starts over).

The started attempt is kept on each contract (``pending_payment``, under
``UPDATE_KEY``) until its result is verified; a contract still waiting for its
first payment (old Subscription API) cannot be updated.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.payments import Authorized, Declined, PaymentAction, PaymentRequest, provider_for
from opencentra.stores.models import Currency, PaymentBehaviour, PaymentMethod
from opencentra.stores.options import payment_methods
from opencentra.subscriptions.contracts import UPDATE_KEY
from opencentra.subscriptions.models import (
    ContractSubscription,
    StoredPaymentMethod,
    SubscriptionContract,
    SubscriptionPaymentStatus,
    SubscriptionStatus,
)

MAX_CONTRACTS = 100


class PaymentUpdateRefused(ValidationFailed):
    """The provider refused the new payment method."""


@dataclass(frozen=True)
class PaymentUpdateStarted:
    """A page for the shopper to visit (``action``), or None when the provider already authorized
    (then ``contract_ids`` are updated and nothing more is needed)."""

    action: PaymentAction | None
    contract_ids: tuple[int, ...]


async def _contracts(
    session: AsyncSession, customer_id: int, contract_ids: Sequence[int]
) -> list[SubscriptionContract]:
    wanted = sorted(set(contract_ids))
    if not wanted:
        raise ValidationFailed("name at least one subscription contract", field="contracts")
    if len(wanted) > MAX_CONTRACTS:
        raise ValidationFailed(f"at most {MAX_CONTRACTS} contracts at once", field="contracts")
    found = list(
        await session.scalars(
            select(SubscriptionContract)
            .where(SubscriptionContract.id.in_(wanted), SubscriptionContract.customer_id == customer_id)
            .order_by(SubscriptionContract.id)
            .with_for_update()
        )
    )
    if len(found) != len(wanted):
        # Another customer's contract is as unknown as a missing one.
        raise NotFound("subscription contract not found", field="contracts")
    return found


def _request(
    reference: str,
    contract_ids: Sequence[int],
    currency: Currency,
    method: PaymentMethod,
    state: Mapping[str, Any],
    email: str,
) -> PaymentRequest:
    return PaymentRequest(
        reference=reference,
        selection=f"subscription-payment-{contract_ids[0]}",
        amount_minor=0,
        currency_code=currency.code,
        currency_decimals=currency.decimals,
        method_uri=method.uri,
        return_url=str(state["return_url"]),
        failed_url=str(state["failed_url"]),
        behaviour=PaymentBehaviour(method.behaviour) if method.behaviour is not None else None,
        email=email,
    )


async def start_payment_update(
    db: Database,
    customer_id: int,
    contract_ids: Sequence[int],
    method_uri: str,
    return_url: str,
    failed_url: str | None = None,
) -> PaymentUpdateStarted:
    """Start paying with a new method for the customer's ``contract_ids``; the method must be
    offered in every contract's market and all contracts must share a currency."""
    async with db.write() as session:
        contracts = await _contracts(session, customer_id, contract_ids)
        method: PaymentMethod | None = None
        for contract in contracts:
            if contract.pending_payment is not None and UPDATE_KEY not in contract.pending_payment:
                raise Conflict("the contract is still waiting for its first payment", field="contracts")
            offered = {m.uri: m for m in await payment_methods(session, contract.market_id)}
            method = offered.get(method_uri)
            if method is None:
                raise ValidationFailed(f"payment method {method_uri[:50]!r} is not available", field="paymentMethod")
        assert method is not None
        if len({c.currency_id for c in contracts}) != 1:
            raise ValidationFailed("the contracts must share a currency", field="contracts")
        currency = await session.get(Currency, contracts[0].currency_id)
        assert currency is not None
        reference = secrets.token_hex(16)
        state: dict[str, Any] = {
            "reference": reference,
            "method": method.id,
            "contracts": [c.id for c in contracts],
            "return_url": return_url,
            "failed_url": failed_url or return_url,
        }
        ids = tuple(c.id for c in contracts)
        request = _request(reference, ids, currency, method, state, contracts[0].email)
        for contract in contracts:
            contract.pending_payment = {UPDATE_KEY: state}
        provider_name = method.provider
    started = await provider_for(provider_name).start(request)
    if isinstance(started.outcome, Declined):
        raise PaymentUpdateRefused(started.outcome.message, field="paymentMethod")
    if isinstance(started.outcome, Authorized):
        await _apply(db, customer_id, reference, started.outcome)
        return PaymentUpdateStarted(None, ids)
    async with db.write() as session:
        for contract in await _contracts(session, customer_id, ids):
            kept = dict((contract.pending_payment or {}).get(UPDATE_KEY) or {})
            if kept.get("reference") == reference:
                contract.pending_payment = {UPDATE_KEY: {**kept, "state": dict(started.state)}}
    return PaymentUpdateStarted(started.action, ids)


async def complete_payment_update(db: Database, customer_id: int, fields: Mapping[str, str]) -> tuple[int, ...]:
    """Verify what the provider sent back and switch the contracts to the new stored method.

    The attempt is the customer's latest started one (or the one whose ``reference`` the fields
    name). A replay after success finds nothing waiting (``NotFound``) and changes nothing."""
    async with db.read() as session:
        pending = [
            c
            for c in await session.scalars(
                select(SubscriptionContract)
                .where(
                    SubscriptionContract.customer_id == customer_id, SubscriptionContract.pending_payment.is_not(None)
                )
                .order_by(SubscriptionContract.id)
            )
            if isinstance((c.pending_payment or {}).get(UPDATE_KEY), dict)
        ]
        attempts = {
            str(c.pending_payment[UPDATE_KEY]["reference"]): c.pending_payment[UPDATE_KEY]
            for c in pending
            if c.pending_payment
        }
        wanted = fields.get("reference")
        state = attempts.get(wanted) if wanted else (list(attempts.values())[-1] if attempts else None)
        if state is None:
            raise NotFound("no stored payment update is waiting for a result", field="paymentMethodFields")
        method = await session.get(PaymentMethod, int(state["method"]))
        contract = pending[0]
        currency = await session.get(Currency, contract.currency_id)
        if method is None or currency is None:
            raise NotFound("the payment method is gone", field="paymentMethod")
        request = _request(str(state["reference"]), list(state["contracts"]), currency, method, state, contract.email)
    outcome = await provider_for(method.provider).verify(request, state.get("state") or {}, fields)
    if isinstance(outcome, Declined):
        raise PaymentUpdateRefused(outcome.message, field="paymentMethod")
    return await _apply(db, customer_id, str(state["reference"]), outcome)


async def _apply(db: Database, customer_id: int, reference: str, authorized: Authorized) -> tuple[int, ...]:
    """One transaction: keep the new stored method and give it to every contract of the attempt."""
    async with db.write() as session:
        contracts = [
            c
            for c in await session.scalars(
                select(SubscriptionContract)
                .where(
                    SubscriptionContract.customer_id == customer_id, SubscriptionContract.pending_payment.is_not(None)
                )
                .order_by(SubscriptionContract.id)
                .with_for_update()
            )
            if ((c.pending_payment or {}).get(UPDATE_KEY) or {}).get("reference") == reference
        ]
        if not contracts:
            return ()  # already applied by an earlier call
        state = (contracts[0].pending_payment or {})[UPDATE_KEY]
        method = await session.get(PaymentMethod, int(state["method"]))
        assert method is not None
        if not authorized.stored_token:
            raise PaymentUpdateRefused(
                "the payment provider kept no payment method to charge again", field="paymentMethod"
            )
        stored = await session.scalar(
            select(StoredPaymentMethod).where(
                StoredPaymentMethod.provider == method.provider, StoredPaymentMethod.token == authorized.stored_token
            )
        )
        if stored is None:
            stored = StoredPaymentMethod(
                store_id=contracts[0].store_id,
                customer_id=customer_id,
                payment_method_id=method.id,
                provider=method.provider,
                token=authorized.stored_token,
                label=(authorized.stored_label or method.name or method.provider)[:255],
                active=True,
            )
            session.add(stored)
            await session.flush()
        now = utcnow()
        for contract in contracts:
            contract.stored_payment_method_id = stored.id
            contract.payment_method_id = method.id
            contract.pending_payment = None
            contract.updated_at = now
            # A failed payment gets a fresh start: due again at once, its retry count reset.
            for sub in await session.scalars(
                select(ContractSubscription)
                .where(
                    ContractSubscription.contract_id == contract.id,
                    ContractSubscription.status == SubscriptionStatus.ACTIVE.value,
                    ContractSubscription.payment_status == SubscriptionPaymentStatus.FAILED.value,
                )
                .with_for_update()
            ):
                sub.retry_at = None
                sub.failed_attempts = 0
                sub.updated_at = now
            await session.flush()
            await record(
                session, "subscription_contract", contract.id, "payment_changed", {}, store_id=contract.store_id
            )
        return tuple(c.id for c in contracts)
