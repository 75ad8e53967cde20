"""Subscriptions: plans offered on displays, contracts made at checkout, and renewal orders.

The public face. Plans (``services``): create, change, offer on displays,
price a line bought on one. Contracts (``contracts``): made from a paid
order's plan lines for a registered customer (``start_contract_in``, the
checkout's one call), read (``ContractView``, ``SubscriptionView``) and
changed by the shopper or the back office (status, interval, next order
date, address, stored payment). The old Subscription API (``legacy``):
packages (plans with their items), a subscription started by a server and
completed by its payment, status by contract. Renewals (``renewals``):
``run_due_renewals(db, now)`` makes one charged order per due contract and
period, exactly once across processes.
"""

from opencentra.subscriptions.back_office import (
    ContractFilter,
    SubscriptionFilter,
    contract_page,
    contracts_by_id,
    set_subscription_quantity,
    subscription_page,
)
from opencentra.subscriptions.contracts import (
    ContractView,
    GuestSubscription,
    StoredMethodView,
    SubscriptionView,
    add_subscription,
    advance,
    check_interval,
    check_plan_buyer,
    contract_view,
    contracts_by_email,
    customer_contracts,
    set_contract_address,
    set_contract_payment,
    set_next_order_date,
    set_subscription_interval,
    set_subscription_status,
    start_contract_in,
    stored_payment_methods,
    update_subscription,
)
from opencentra.subscriptions.legacy import (
    DEFAULT_INTERVAL,
    BadPaymentMethod,
    LegacyOrder,
    LegacyStarted,
    PackageItem,
    PackageView,
    PaymentFailed,
    complete_payment,
    packages,
    set_contract_status,
    start_subscription,
    store_contract,
)
from opencentra.subscriptions.payment_update import (
    PaymentUpdateRefused,
    PaymentUpdateStarted,
    complete_payment_update,
    start_payment_update,
)
from opencentra.subscriptions.renewals import (
    LEASE,
    RETRY_DAYS,
    RenewalResult,
    RenewalRun,
    renew_contract,
    run_due_renewals,
)
from opencentra.subscriptions.services import PlanInfo, PlanSpec, create_plan, set_display_plans, update_plan
from opencentra.subscriptions.store_contracts import store_contract_page

__all__ = [
    "DEFAULT_INTERVAL",
    "LEASE",
    "RETRY_DAYS",
    "BadPaymentMethod",
    "ContractFilter",
    "ContractView",
    "GuestSubscription",
    "LegacyOrder",
    "LegacyStarted",
    "PackageItem",
    "PackageView",
    "PaymentFailed",
    "PaymentUpdateRefused",
    "PaymentUpdateStarted",
    "PlanInfo",
    "PlanSpec",
    "RenewalResult",
    "RenewalRun",
    "StoredMethodView",
    "SubscriptionFilter",
    "SubscriptionView",
    "add_subscription",
    "advance",
    "check_interval",
    "check_plan_buyer",
    "complete_payment",
    "complete_payment_update",
    "contract_page",
    "contract_view",
    "contracts_by_email",
    "contracts_by_id",
    "create_plan",
    "customer_contracts",
    "packages",
    "renew_contract",
    "run_due_renewals",
    "set_contract_address",
    "set_contract_payment",
    "set_contract_status",
    "set_display_plans",
    "set_next_order_date",
    "set_subscription_interval",
    "set_subscription_quantity",
    "set_subscription_status",
    "start_contract_in",
    "start_payment_update",
    "start_subscription",
    "store_contract",
    "store_contract_page",
    "stored_payment_methods",
    "subscription_page",
    "update_plan",
    "update_subscription",
]
