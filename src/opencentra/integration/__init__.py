"""Integration: API plugins and their settings, tokens, SOAP and admin users, and ID conversion.

The public face every adapter imports: ID conversion (``set_external_ids``,
a batch, each entry its own transaction, returning ``ExternalIdView``
mappings; ``external_id_page`` reads them back); the dispatcher's
``resolve_plugin`` (a ``PluginView`` of a ``PluginType``) and the per-type
settings; GraphQL integration tokens (``authenticate_token``); the SOAP
ERP API's login and call log; and the admin UI's logins, sessions, roles and
store assignments.
"""

from opencentra.integration.admin_access import (
    AdminLogin,
    AdminRole,
    AdminSessionView,
    AdminView,
    admin_session,
    change_admin_password,
    list_admins,
    list_soap_users,
    list_tokens,
    log_in_admin,
    log_out_admin,
    set_admin_access,
)
from opencentra.integration.external_ids import (
    ExternalIdBatch,
    ExternalIdSpec,
    external_id_page,
    external_id_view,
    set_external_ids,
)
from opencentra.integration.models import PluginType
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.integration.plugin_forms import SettingField, SettingKind, setting_fields, settings_errors
from opencentra.integration.plugin_settings import BundleMode, CheckoutSettings, OrderSettings, ShopSettings
from opencentra.integration.services import (
    ExternalIdView,
    PluginView,
    TokenView,
    authenticate_token,
    create_plugin,
    create_soap_user,
    create_token,
    deactivate_admin,
    deactivate_soap_user,
    external_ids,
    get_plugin,
    internal_ids,
    list_plugins,
    resolve_plugin,
    revoke_plugin_secret,
    revoke_token,
    rotate_plugin_secret,
    rotate_soap_password,
    rotate_token,
    set_admin_password,
    set_external_id,
    update_plugin,
)
from opencentra.integration.soap_ids import map_soap_ids
from opencentra.integration.soap_log import DEFAULT_KEEP_DAYS as SOAP_LOG_DAYS
from opencentra.integration.soap_log import SoapCallView, record_soap_call, soap_call_page
from opencentra.integration.soap_users import SOAP_INTEGRATION, SoapLogin, soap_login, take_soap_write_turn

__all__ = [
    "ALL_PERMISSIONS",
    "SOAP_INTEGRATION",
    "SOAP_LOG_DAYS",
    "AdminLogin",
    "AdminRole",
    "AdminSessionView",
    "AdminView",
    "BundleMode",
    "CheckoutSettings",
    "ExternalIdBatch",
    "ExternalIdSpec",
    "ExternalIdView",
    "OrderSettings",
    "PluginType",
    "PluginView",
    "SettingField",
    "SettingKind",
    "ShopSettings",
    "SoapCallView",
    "SoapLogin",
    "TokenView",
    "admin_session",
    "authenticate_token",
    "change_admin_password",
    "create_plugin",
    "create_soap_user",
    "create_token",
    "deactivate_admin",
    "deactivate_soap_user",
    "external_id_page",
    "external_id_view",
    "external_ids",
    "get_plugin",
    "internal_ids",
    "list_admins",
    "list_plugins",
    "list_soap_users",
    "list_tokens",
    "log_in_admin",
    "log_out_admin",
    "map_soap_ids",
    "record_soap_call",
    "resolve_plugin",
    "revoke_plugin_secret",
    "revoke_token",
    "rotate_plugin_secret",
    "rotate_soap_password",
    "rotate_token",
    "set_admin_access",
    "set_admin_password",
    "set_external_id",
    "set_external_ids",
    "setting_fields",
    "settings_errors",
    "soap_call_page",
    "soap_login",
    "take_soap_write_turn",
    "update_plugin",
]
