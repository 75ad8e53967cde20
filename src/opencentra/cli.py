"""The ``opencentra`` command: serve, migrate, seed, plugin, token, subscriptions and soap.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
With ``--json`` stdout carries only the JSON object; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError, OperationalError

from opencentra import __version__, subscriptions, webhooks
from opencentra.access_log import uvicorn_log_config
from opencentra.api.soap.app import PATH as SOAP_PATH
from opencentra.config import ENV_PREFIX, Settings, from_environment
from opencentra.db.engine import Database, normalize_database_url
from opencentra.db.migrate import upgrade
from opencentra.db.models import metadata as _all_models  # noqa: F401 - maps every table
from opencentra.demo.seed import DemoResult, seed_demo
from opencentra.errors import DomainError
from opencentra.integration import admin_access, soap_log
from opencentra.integration import services as integration
from opencentra.mail import mailer_for
from opencentra.maintenance import purge_all_expired_sessions
from opencentra.pricing.history import record_prices

T = TypeVar("T")

app = typer.Typer(
    name="opencentra",
    help="OpenCentra: self-hostable headless commerce that speaks Centra's APIs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
seed_app = typer.Typer(help="Load data into the database.", no_args_is_help=True)
plugin_app = typer.Typer(help="Manage stores' API plugins.", no_args_is_help=True)
token_app = typer.Typer(help="Manage GraphQL integration tokens.", no_args_is_help=True)
app.add_typer(seed_app, name="seed")
app.add_typer(plugin_app, name="plugin")
app.add_typer(token_app, name="token")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help=f"Database URL (default: {ENV_PREFIX}DATABASE_URL or sqlite:///./opencentra.db)."),
]


PluginIdArgument = Annotated[int, typer.Argument(help="Plugin id.")]

# How long ``serve`` waits on SIGTERM for requests in flight before cancelling them.
GRACEFUL_SHUTDOWN_SECONDS = 25
# How long ``serve --workers N``'s supervisor waits for a worker's answer before it kills it as hung.
WORKER_HEALTHCHECK_SECONDS = 120


class CliError(Exception):
    """An expected failure: printed as one line, exit status 1."""


def _settings(**overrides: object) -> Settings:
    return from_environment().with_overrides(**overrides)


def _prepare_sqlite_path(database_url: str) -> None:
    url = normalize_database_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        parent = Path(url.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise CliError(f"the folder for the SQLite database does not exist: {parent}")


def _migrate(database_url: str) -> None:
    _prepare_sqlite_path(database_url)
    upgrade(database_url)


def _run(factory: Callable[[Database], Coroutine[Any, Any, T]], database_url: str) -> T:
    async def runner() -> T:
        db = Database.from_url(database_url)
        try:
            return await factory(db)
        finally:
            await db.dispose()

    return asyncio.run(runner())


def _credentials_text(result: DemoResult) -> str:
    lines = ["OpenCentra demo data is ready. Secrets are shown once; re-run to rotate them."]
    for plugin in result.plugins:
        lines.append(f"  {plugin.type:<12} {plugin.base:<28} API-Authorization: {plugin.secret}")
    lines.append(f"  graphql      /graphql   Authorization: Bearer {result.graphql_token}")
    lines.append(f"  admin        /ams/      username {result.admin_username}  password {result.admin_password}")
    lines.append(f"  soap         {SOAP_PATH}   username {result.soap_username}  password {result.soap_password}")
    return "\n".join(lines)


def _seed(database_url: str, products: int, progress: bool) -> DemoResult:
    _migrate(database_url)

    async def run(db: Database) -> DemoResult:
        if not progress:
            return await seed_demo(db, products=products)
        from rich.progress import Progress

        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("Seeding demo data", total=None)

            def report(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return await seed_demo(db, products=products, progress=report)

    return _run(run, database_url)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8000).")] = None,
    database: DatabaseOption = None,
    redis: Annotated[str | None, typer.Option("--redis", help="Redis URL, needed for more than one worker.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies (IPs or networks, comma-separated, or *) whose X-Forwarded-For names the client "
            "(default: trust none).",
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo data and print endpoints and keys.")] = False,
    background: Annotated[
        bool | None,
        typer.Option(
            "--background/--no-background",
            help="Also run the background loops: renewals, webhooks, purges (default on; off when "
            "`opencentra worker` runs them).",
        ),
    ] = None,
) -> None:
    """Run the server. Migrates the database first."""
    import uvicorn

    settings = _settings(
        host=host,
        port=port,
        database_url=database,
        redis_url=redis,
        workers=workers,
        forwarded_allow_ips=forwarded_allow_ips,
        background=background,
    )
    _migrate(settings.database_url)
    if demo:
        result = _seed(settings.database_url, products=0, progress=True)
        err.print(_credentials_text(result))
        err.print(f"  base URL     http://{settings.host}:{settings.port}")
    # Workers are separate processes: they read their settings from the environment.
    os.environ[f"{ENV_PREFIX}DATABASE_URL"] = settings.database_url
    if settings.redis_url:
        os.environ[f"{ENV_PREFIX}REDIS_URL"] = settings.redis_url
    if not settings.background:
        os.environ[f"{ENV_PREFIX}BACKGROUND"] = "false"
    # Several workers and /metrics on: each worker counts in its own files in a fresh directory, and a
    # scrape answered by any of them sums them all (prometheus-client's multiprocess mode; opencentra.metrics).
    metrics_dir = None
    if settings.workers > 1 and settings.metrics_token and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="opencentra-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "opencentra.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            # uvicorn's logging, but the access log keeps no query-string values (secrets).
            # OPENCENTRA_LOG_FORMAT=json: one JSON object a line, with the correlation id (opencentra.logs).
            log_config=uvicorn_log_config(settings.log_format),
            # The client address (login throttling) comes from X-Forwarded-For only behind trusted proxies.
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=settings.forwarded_allow_ips or None,
            # SIGTERM: stop accepting, let requests in flight finish, then stop background work (the
            # lifespan). Bounded, so a hung client cannot hold a deploy, and under the 30 s most
            # orchestrators wait before SIGKILL (tests/scaleout/test_crash.py).
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            # uvicorn kills a worker that does not answer its supervisor's ping in time (default 5 s), and a
            # worker cannot answer while it imports the app: on busy cores that took longer, so workers were
            # killed and restarted before ever serving (tests/scaleout/test_workers.py).
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


@app.command()
def migrate(database: DatabaseOption = None) -> None:
    """Bring the database schema up to date."""
    settings = _settings(database_url=database)
    _migrate(settings.database_url)
    err.print("database is up to date")


@app.command("purge-sessions")
def purge_sessions(database: DatabaseOption = None) -> None:
    """Delete expired shopper sessions (their anonymous carts are marked abandoned)."""
    settings = _settings(database_url=database)
    removed = _run(purge_all_expired_sessions, settings.database_url)
    err.print(f"purged {removed} expired session{'' if removed == 1 else 's'}")


@app.command("record-prices")
def record_prices_command(database: DatabaseOption = None) -> None:
    """Record the prices in force where they changed (the history behind lowestPrice)."""
    settings = _settings(database_url=database)
    written = _run(record_prices, settings.database_url)
    err.print(f"recorded {written} changed price{'' if written == 1 else 's'}")


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


@seed_app.command("demo")
def seed_demo_command(
    database: DatabaseOption = None,
    products: Annotated[int, typer.Option(min=0, max=1_000_000, help="Catalogue size (0: the small demo set).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print only a JSON object on stdout.")] = False,
) -> None:
    """Load the demo stores, catalogue and API credentials (idempotent; rotates secrets)."""
    settings = _settings(database_url=database)
    result = _seed(settings.database_url, products=products, progress=True)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
    else:
        out.print(_credentials_text(result))


@plugin_app.command("create")
def plugin_create(
    store: Annotated[int, typer.Option(help="Store id.")],
    plugin_type: Annotated[str, typer.Option("--type", help="checkout, shop, order, subscription or webhook.")],
    uri: Annotated[str, typer.Option(help="URI segment: the plugin answers at /api/<uri>.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    settings_json: Annotated[str | None, typer.Option("--settings", help="Settings as a JSON object.")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Create it switched off.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Add an API plugin to a store and print its secret (shown once)."""
    settings = _settings(database_url=database)
    try:
        raw_settings = json.loads(settings_json) if settings_json else None
    except json.JSONDecodeError as exc:
        raise CliError(f"--settings is not valid JSON: {exc.msg} at position {exc.pos}") from None
    _migrate(settings.database_url)
    plugin, secret = _run(
        lambda db: integration.create_plugin(
            db,
            store_id=store,
            plugin_type=plugin_type,
            uri=uri,
            name=name,
            settings=raw_settings,
            active=not inactive,
        ),
        settings.database_url,
    )
    out.print(f"plugin {plugin.id} ({plugin.type.value}) at {plugin.base} and {plugin.base}/{plugin.id}")
    out.print(f"secret: {secret}")


@plugin_app.command("list")
def plugin_list(database: DatabaseOption = None) -> None:
    """List plugins (secrets are never shown, only their first characters)."""
    settings = _settings(database_url=database)
    plugins = _run(integration.list_plugins, settings.database_url)
    for plugin in plugins:
        state = "active" if plugin.active else "inactive"
        prefix = f"{plugin.secret_prefix}…" if plugin.secret_prefix else "(no secret)"
        out.print(f"{plugin.id}\tstore {plugin.store_id}\t{plugin.type.value}\t{plugin.base}\t{state}\t{prefix}")


@plugin_app.command("rotate-secret")
def plugin_rotate(
    plugin_id: Annotated[int, typer.Argument(help="Plugin id.")], database: DatabaseOption = None
) -> None:
    """Issue a new secret for a plugin; the old one stops working at once."""
    settings = _settings(database_url=database)
    issued = _run(lambda db: integration.rotate_plugin_secret(db, plugin_id), settings.database_url)
    out.print(f"secret: {issued.secret}")


@plugin_app.command("revoke-secret")
def plugin_revoke(
    plugin_id: Annotated[int, typer.Argument(help="Plugin id.")], database: DatabaseOption = None
) -> None:
    """Remove a plugin's secret; nothing opens it until a new one is rotated in."""
    settings = _settings(database_url=database)
    _run(lambda db: integration.revoke_plugin_secret(db, plugin_id), settings.database_url)
    err.print(f"plugin {plugin_id}: secret revoked")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="What the token is for; also the integration's name.")],
    permission: Annotated[list[str], typer.Option("--permission", "-p", help="A permission, e.g. Order:read.")],
    store: Annotated[int | None, typer.Option(help="Restrict the token to one store.")] = None,
    days: Annotated[int, typer.Option(min=0, help="Days until it expires; 0 for never.")] = 30,
    database: DatabaseOption = None,
) -> None:
    """Create a GraphQL integration token and print it (shown once)."""
    settings = _settings(database_url=database)
    _migrate(settings.database_url)
    lifetime = timedelta(days=days) if days else None
    token, secret = _run(
        lambda db: integration.create_token(db, name=name, permissions=permission, store_id=store, lifetime=lifetime),
        settings.database_url,
    )
    expiry = token.expires_at.isoformat() if token.expires_at else "never"
    err.print(f"token {token.id} for {token.name!r}, expires {expiry}")
    out.print(secret)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id.")], database: DatabaseOption = None) -> None:
    """Revoke an integration token."""
    settings = _settings(database_url=database)
    _run(lambda db: integration.revoke_token(db, token_id), settings.database_url)
    err.print(f"token {token_id} revoked")


subscriptions_app = typer.Typer(help="Subscription renewals.", no_args_is_help=True)
app.add_typer(subscriptions_app, name="subscriptions")


def _moment(value: str | None) -> datetime:
    """``--now``: an ISO date or date-time (UTC when no offset is given); default the current time."""
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"--now must be an ISO date or date-time, not {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@subscriptions_app.command("run-due")
def subscriptions_run_due(
    now: Annotated[
        str | None, typer.Option("--now", help="Run everything due up to this moment (ISO date or date-time).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Make the renewal orders that are due: charged once, exactly once across processes."""
    settings = _settings(database_url=database)
    moment = _moment(now)
    mailer = mailer_for(settings.smtp_url)
    run = _run(lambda db: subscriptions.run_due_renewals(db, moment, mailer=mailer), settings.database_url)
    counts = {kind: run.count(kind) for kind in ("placed", "declined", "paused", "skipped")}
    if as_json:
        out.print(json.dumps(counts), markup=False)
    err.print(", ".join(f"{count} {kind}" for kind, count in counts.items()) + f" (due up to {moment.isoformat()})")


# --- admin users (the admin UI at /ams/) ------------------------------------------------------
admin_app = typer.Typer(help="Manage the admin UI's users.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("create-user")
def admin_create_user(
    username: Annotated[str, typer.Argument(help="The login name.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters.")
    ],
    role: Annotated[
        str, typer.Option(help="administrator (everything, SYSTEM too) or store_manager (only --store stores).")
    ] = "administrator",
    store: Annotated[list[int] | None, typer.Option("--store", help="A store a store manager works in.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Create an admin user (or set an existing one's password, role and stores); log in at /ams/."""
    if role not in set(admin_access.AdminRole):
        raise CliError(f"--role must be one of {', '.join(admin_access.AdminRole)}, not {role!r}")
    settings = _settings(database_url=database)
    _migrate(settings.database_url)

    async def create(db: Database) -> None:
        await integration.set_admin_password(db, username=username, password=password)
        await admin_access.set_admin_access(db, username=username, role=role, store_ids=store or [])

    _run(create, settings.database_url)
    err.print(f"admin {username} ({role}) can log in at /ams/")


# --- SOAP users (the SOAP ERP API at /ams/system/service/module/soap/api) ----------------------
soap_app = typer.Typer(help="Manage the SOAP ERP API's users and read their request log.", no_args_is_help=True)
app.add_typer(soap_app, name="soap")


@soap_app.command("create-user")
def soap_create_user(
    username: Annotated[str, typer.Argument(help="The login the ERP sends in <login><username>.")],
    store: Annotated[int | None, typer.Option(help="Restrict the user to one store (default: every store).")] = None,
    database: DatabaseOption = None,
) -> None:
    """Create a SOAP user and print its generated password (shown once)."""
    settings = _settings(database_url=database)
    _migrate(settings.database_url)
    password = _run(
        lambda db: integration.create_soap_user(db, username=username, store_id=store), settings.database_url
    )
    err.print(f"SOAP user {username} created" + (f" for store {store}" if store else " for every store"))
    out.print(password, markup=False)


@soap_app.command("rotate-password")
def soap_rotate_password(
    username: Annotated[str, typer.Argument(help="The SOAP user.")], database: DatabaseOption = None
) -> None:
    """Give a SOAP user a new generated password (printed once); the old one stops working."""
    settings = _settings(database_url=database)
    password = _run(lambda db: integration.rotate_soap_password(db, username), settings.database_url)
    err.print(f"SOAP user {username}: new password")
    out.print(password, markup=False)


@soap_app.command("log")
def soap_log_command(
    username: Annotated[str, typer.Argument(help="The SOAP user.")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many calls, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the calls as JSON on stdout.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Show a SOAP user's latest calls: operation, status, request and response (passwords blanked)."""
    settings = _settings(database_url=database)
    calls = _run(lambda db: soap_log.soap_call_page(db, username, limit=limit), settings.database_url)
    if as_json:
        rows = [
            {
                "id": c.id,
                "at": c.created_at.isoformat(),
                "operation": c.operation,
                "status": c.status,
                "request": c.request,
                "response": c.response,
            }
            for c in calls
        ]
        out.print(json.dumps(rows), markup=False)
        return
    for c in calls:
        out.print(f"{c.created_at.isoformat()} {c.operation} {c.status}", markup=False)
        out.print(c.request, markup=False)
        out.print(c.response, markup=False)
    err.print(f"{len(calls)} call(s) of {username}")


def _fail(message: str) -> None:
    # Plain print: rich would wrap a long path or URL onto a second line.
    print(f"error: {message}", file=sys.stderr)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning expected failures into one line."""
    try:
        app(args=argv, standalone_mode=False)
    except (DomainError, CliError) as exc:
        _fail(_one_line(exc))
        raise SystemExit(1) from None
    except (OperationalError, DBAPIError) as exc:
        _fail(f"database: {_one_line(exc.orig or exc)}")
        raise SystemExit(1) from None
    except OSError as exc:
        _fail(exc.strerror or _one_line(exc))
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, SystemExit):
        raise
    except typer.TyperException as exc:
        # Usage errors (unknown flag, bad value) as one line, like every other failure.
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        _fail(f"{message} (see opencentra --help)")
        raise SystemExit(getattr(exc, "exit_code", 2)) from None


# --- outbound webhooks (opencentra.webhooks; docs/compatibility/webhooks.md) -----------------------
webhooks_app = typer.Typer(help="Outbound webhooks: signing secrets, delivery, the delivery log.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("secret")
def webhooks_secret(plugin_id: PluginIdArgument, database: DatabaseOption = None) -> None:
    """Issue (or rotate) a webhook plugin's signing secret and print it (shown once)."""
    settings = _settings(database_url=database)
    secret = _run(
        lambda db: webhooks.issue_signing_secret(db, plugin_id, server_key=settings.webhooks_key),
        settings.database_url,
    )
    out.print(f"signing secret: {secret}")


def _print_run(result: webhooks.RunResult, as_json: bool) -> None:
    counts = {
        "enqueued": result.enqueued,
        "delivered": result.delivered,
        "retrying": result.retrying,
        "failed": result.failed,
        "split": result.split,
        "purged": result.purged,
    }
    if as_json:
        out.print(json.dumps(counts), markup=False)
    err.print(", ".join(f"{count} {kind}" for kind, count in counts.items()))
    if result.unsigned_plugins:
        waiting = ", ".join(str(plugin) for plugin in result.unsigned_plugins)
        err.print(f"waiting for a signing secret (opencentra webhooks secret <id>): plugin {waiting}")


@webhooks_app.command("deliver")
def webhooks_deliver(
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Send the webhook deliveries that are due now (one round; the server does this by itself too)."""
    settings = _settings(database_url=database)
    result = _run(
        lambda db: webhooks.deliver_due(
            db, server_key=settings.webhooks_key, allow_private=settings.webhooks_allow_private
        ),
        settings.database_url,
    )
    _print_run(result, as_json)


@webhooks_app.command("retry")
def webhooks_retry(
    delivery: Annotated[str, typer.Argument(help="Delivery number or delivery id (32 hex).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Send a failed delivery again now, with the same delivery id."""
    settings = _settings(database_url=database)

    async def retry(db: Database) -> webhooks.RunResult:
        await webhooks.retry_delivery(db, delivery)
        return await webhooks.deliver_due(
            db, server_key=settings.webhooks_key, allow_private=settings.webhooks_allow_private
        )

    _print_run(_run(retry, settings.database_url), as_json)


@webhooks_app.command("log")
def webhooks_log(
    plugin: Annotated[int | None, typer.Option(help="Only this plugin's deliveries.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
    database: DatabaseOption = None,
) -> None:
    """List recent deliveries: status, attempts, last answer."""
    settings = _settings(database_url=database)
    rows = _run(lambda db: webhooks.deliveries(db, plugin_id=plugin, limit=limit), settings.database_url)
    for row in rows:
        answer = row.last_error or (f"HTTP {row.last_status_code}" if row.last_status_code else "-")
        out.print(
            f"{row.id}\t{row.delivery_id}\tplugin {row.plugin_id}\t{row.status.value}\t"
            f"{row.attempts}/{row.max_attempts}\t{len(row.event_ids)} events\t{answer}",
            markup=False,
        )


# --- the background worker (opencentra.worker) -------------------------------------------------------


@app.command()
def worker(database: DatabaseOption = None) -> None:
    """Run the background loops (renewals, webhooks, purges) without serving HTTP; stops on SIGTERM.

    Run beside app servers started with --no-background; any number of workers is safe."""
    import logging

    from opencentra.worker import loop_names, run_worker

    # The worker runs its loops whatever OPENCENTRA_BACKGROUND says (that one is for app servers).
    settings = _settings(database_url=database, background=True)
    names = loop_names(settings)
    if not names:
        raise CliError("every background loop is off: set OPENCENTRA_RENEWAL_SECONDS or another interval above 0")
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    err.print(f"opencentra worker: {', '.join(names)} (SIGTERM stops it after the work in hand)")
    asyncio.run(run_worker(settings))
