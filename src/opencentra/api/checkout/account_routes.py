"""Customer handling: register, login, logout, details, passwords, own orders,
newsletter, back-in-stock and the wishlist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from opencentra import storefront
from opencentra.address import Address
from opencentra.api.checkout.bodies import (
    AddressBody,
    BackInStockBody,
    CustomerUpdateBody,
    EmailBody,
    LoginBody,
    NewsletterBody,
    OrdersBody,
    PasswordBody,
    RegisterBody,
    ResetBody,
    ResetEmailBody,
    VerificationBody,
    VerificationEmailBody,
)
from opencentra.api.checkout.docs import ACCOUNT, AnyResponse, SelectionResponse
from opencentra.api.checkout.params import WholeNumber
from opencentra.api.checkout.request import CheckoutRequest, Ctx
from opencentra.api.checkout.shapes import order_body
from opencentra.api.context import context_from_scope
from opencentra.errors import ValidationFailed
from opencentra.mail import Mailer, mailer_for
from opencentra.ratelimit.throttle import Throttle
from opencentra.storefront import CustomerUpdate, Newsletter, Registration, ResetMailer, WishlistView

router = APIRouter()
TAG = "6 customer handling"


def _throttle(ctx: CheckoutRequest) -> Throttle:
    """Login throttling on the app's store: Redis when the settings name one, else this process."""
    return ctx.adapter.throttle.get(context_from_scope(ctx.request.scope).app.settings.redis_url)


def _mailer(ctx: CheckoutRequest) -> ResetMailer | Mailer:
    """The mailer the adapter was given (tests), else the settings' (SMTP, or the log)."""
    return ctx.adapter.mailer or mailer_for(context_from_scope(ctx.request.scope).app.settings.smtp_url)


def _merged_address(body: AddressBody, nested: AddressBody | None) -> Address:
    """Registration and updates take address fields at the top level or under ``address``."""
    top = body.to_address()
    return top.merged(nested.to_address()) if nested is not None else top


@router.post("/register", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def register(ctx: Ctx, body: RegisterBody) -> Response:
    """Create an account and log the session in; an email known only from guest orders becomes the account.

    Its guest orders show once the email is verified (a link is mailed; see POST /email-verification).
    """
    registration = Registration(
        email=body.email,
        password=body.password,
        address=_merged_address(body, body.address),
        newsletter=bool(body.newsletter),
        gender=body.gender,
        verification_link_uri=body.verificationLinkUri,
    )
    return ctx.state(await storefront.account.register(ctx.shop, ctx.visitor, registration, _mailer(ctx)))


@router.post("/login/{email}", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def login(ctx: Ctx, email: str, body: LoginBody) -> Response:
    state = await storefront.account.login(ctx.shop, ctx.visitor, _throttle(ctx), email, body.password)
    return ctx.state(state)


@router.post("/logout", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def logout(ctx: Ctx) -> Response:
    return ctx.state(await storefront.account.logout(ctx.shop, ctx.visitor))


@router.get("/customer", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def customer(ctx: Ctx) -> Response:
    return ctx.state(await storefront.account.account_state(ctx.shop, ctx.visitor))


@router.put("/customer/update", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def update_customer(ctx: Ctx, body: CustomerUpdateBody) -> Response:
    address = _merged_address(body, body.address)
    update = CustomerUpdate(
        first_name=body.firstName,
        last_name=body.lastName,
        gender=body.gender,
        newsletter=body.newsletter,
        language=body.language,
        address=address if address != Address() else None,
    )
    return ctx.state(await storefront.account.update_customer(ctx.shop, ctx.visitor, update))


@router.put("/address", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def update_address(ctx: Ctx, body: AddressBody) -> Response:
    return ctx.state(await storefront.account.update_address(ctx.shop, ctx.visitor, body.to_address()))


@router.put("/email", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def change_email(ctx: Ctx, body: EmailBody) -> Response:
    new_email = body.newEmail or body.email
    if not new_email:
        raise ValidationFailed("required", field="newEmail")
    return ctx.state(await storefront.account.change_email(ctx.shop, ctx.visitor, new_email))


@router.put("/password", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def change_password(ctx: Ctx, body: PasswordBody) -> Response:
    """Change the password; every other session of the customer is logged out, this one stays logged in."""
    state = await storefront.account.change_password(
        ctx.shop, ctx.visitor, _throttle(ctx), body.password, body.newPassword
    )
    return ctx.state(state)


@router.post("/orders", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def orders(ctx: Ctx, body: OrdersBody | None = None) -> Response:
    """The logged-in customer's orders, newest first, paged with ``from`` and ``size``."""
    body = body or OrdersBody()
    page = await storefront.account.customer_orders(ctx.shop, ctx.visitor, body.from_, body.size)
    out = ctx.context(page.state)
    out["orders"] = [order_body(order, page.state.reference) for order in page.orders]
    out["ordersPaging"] = {
        "from": page.start,
        "size": page.size if page.size is not None else page.total,
        "totalSize": page.total,
    }
    return ctx.respond(out)


@router.post("/password-reset-email/{email}", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def password_reset_email(ctx: Ctx, email: str, body: ResetEmailBody | None = None) -> Response:
    """Send a reset link (when the email has an account); the answer is the same either way."""
    link = body.linkUri if body else None
    state = await storefront.account.request_password_reset(
        ctx.shop, ctx.visitor, _throttle(ctx), email, link, _mailer(ctx)
    )
    return ctx.state(state)


@router.post("/password-reset", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def password_reset(ctx: Ctx, body: ResetBody) -> Response:
    """Set a new password with the link's ``id`` and ``i``; logs out every session of the customer, then this one in."""
    state = await storefront.account.reset_password(
        ctx.shop, ctx.visitor, _throttle(ctx), str(body.id), body.i, body.newPassword
    )
    return ctx.state(state)


@router.post("/email-verification-email", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def email_verification_email(ctx: Ctx, body: VerificationEmailBody | None = None) -> Response:
    """OpenCentra: mail the logged-in customer a link that verifies their email (none once it is verified)."""
    link = body.linkUri if body else None
    state = await storefront.account.request_email_verification(
        ctx.shop, ctx.visitor, _throttle(ctx), link, _mailer(ctx)
    )
    return ctx.state(state)


@router.post("/email-verification", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def email_verification(ctx: Ctx, body: VerificationBody) -> Response:
    """OpenCentra: verify the email with the link's ``id`` and ``i``; the account then shows its guest orders."""
    state = await storefront.account.verify_email(ctx.shop, ctx.visitor, _throttle(ctx), str(body.id), body.i)
    return ctx.state(state)


async def _newsletter(ctx: CheckoutRequest, email: str | None, body: NewsletterBody) -> Response:
    if body.email_field:
        # The honeypot was filled in: pretend it worked.
        return ctx.respond(ctx.with_token({"subscribed": True}))
    address = email or body.email
    if not address:
        raise ValidationFailed("required", field="email")
    await storefront.account.subscribe_newsletter(
        ctx.shop,
        ctx.visitor,
        Newsletter(email=address, country=body.country, language=body.language, product=body.product, item=body.item),
    )
    return ctx.respond(ctx.with_token({"subscribed": True}))


@router.post("/newsletter-subscription", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def newsletter(ctx: Ctx, body: NewsletterBody | None = None) -> Response:
    return await _newsletter(ctx, None, body or NewsletterBody())


@router.post("/newsletter-subscription/{email}", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
@router.post("/customers/{email}/newsletter-subscription", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def newsletter_for(ctx: Ctx, email: str, body: NewsletterBody | None = None) -> Response:
    """Sign ``email`` up; ``/customers/{email}/newsletter-subscription`` is the older spelling (same handler)."""
    return await _newsletter(ctx, email, body or NewsletterBody())


@router.post("/back-in-stock-subscription", response_model=SelectionResponse, responses=ACCOUNT, tags=[TAG])
async def back_in_stock(ctx: Ctx, body: BackInStockBody) -> Response:
    state = await storefront.account.subscribe_back_in_stock(
        ctx.shop,
        ctx.visitor,
        body.item,
        body.shipTo.country,
        state=body.shipTo.state,
        email=body.email,
        language=body.language,
    )
    return ctx.state(state, subscribed=True)


def _wishlist(ctx: CheckoutRequest, view: WishlistView) -> Response:
    items = [
        {"wishlistItem": e.id, "product": e.display_item_id, "createdAt": e.created_at.strftime("%Y-%m-%d %H:%M:%S")}
        for e in view.entries
    ]
    return ctx.respond(ctx.with_token({"wishlist": {"wishlist": 0, "isDefault": True, "items": items}}))


@router.get("/customer/wishlists/{wishlist}", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def wishlist(
    ctx: Ctx,
    wishlist: str,
    page: Annotated[WholeNumber, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[WholeNumber, Query(ge=1, le=1000)] = 100,
) -> Response:
    return _wishlist(ctx, await storefront.account.wishlist(ctx.shop, ctx.visitor, wishlist, page, limit))


@router.post("/customer/wishlists/{wishlist}/items/{item}", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def wishlist_add(ctx: Ctx, wishlist: str, item: str) -> Response:
    return _wishlist(ctx, await storefront.account.change_wishlist(ctx.shop, ctx.visitor, wishlist, item, add=True))


@router.delete("/customer/wishlists/{wishlist}/items/{item}", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def wishlist_remove(ctx: Ctx, wishlist: str, item: str) -> Response:
    return _wishlist(ctx, await storefront.account.change_wishlist(ctx.shop, ctx.visitor, wishlist, item, add=False))
