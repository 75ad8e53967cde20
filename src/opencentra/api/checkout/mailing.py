"""Which Mailer the Checkout API uses: the one the app was given (tests), else the settings'."""

from __future__ import annotations

from opencentra.api.checkout.request import CheckoutRequest
from opencentra.api.context import context_from_scope
from opencentra.mail import Mailer, mailer_for
from opencentra.storefront import OrderPlaced, PaymentAnswer, deliver_gift_certificate


def adapter_mailer(ctx: CheckoutRequest) -> Mailer:
    configured = ctx.adapter.mailer
    if isinstance(configured, Mailer):
        return configured
    return mailer_for(context_from_scope(ctx.request.scope).app.settings.smtp_url)


async def mail_gift_certificates(ctx: CheckoutRequest, answer: PaymentAnswer) -> None:
    """After an order is placed: email the code of a gift certificate it bought (once per order).

    Only orders with a line that is no product (a certificate) cost a look.
    """
    if isinstance(answer, OrderPlaced) and any(line.item is None for line in answer.order.lines):
        await deliver_gift_certificate(ctx.shop.db, answer.order.id, adapter_mailer(ctx))
