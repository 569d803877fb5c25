"""The FastAPI application: ``create_app(settings)``; routers, error handlers and the lifespan.

The lifespan migrates (or refuses an un-migrated database), installs the first admin key on a new
database, runs the periodic proposal-expiry sweep, and (unless ``TESSERA_WEBHOOK_DELIVERY`` is off) the
webhook delivery worker that sends the committed ``outbox_events`` to the subscribed teams.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import anyio.to_thread
from fastapi import FastAPI

from service.assets.endpoints import router as assets_router
from service.audit.endpoints import router as audit_router
from service.bootstrap import bootstrap_admin, prepare_database
from service.context import Ctx
from service.db import Database
from service.errors import add_exception_handlers
from service.health.endpoints import router as health_router
from service.impact.endpoints import router as impact_router
from service.proposals.endpoints import router as proposals_router
from service.proposals.service import expire_due
from service.publishing.endpoints import router as publishing_router
from service.registrations.endpoints import router as registrations_router
from service.settings import Settings, get_settings
from service.teams.endpoints import router as teams_router
from service.webhooks.endpoints import router as webhooks_router
from service.webhooks.worker import DeliveryWorker

log = logging.getLogger("tessera.service")


def _announce(token: str) -> None:
    print(
        "\nTessera created the admin team and this admin API key (shown once, store it now):\n\n"
        f"    {token}\n\n"
        "Use it as TESSERA_API_KEY, e.g.  export TESSERA_API_KEY=" + token + "\n",
        flush=True,
    )


def sweep_once(db: Database, settings: Settings) -> int:
    """Expire every proposal past its deadline; returns how many."""
    with db.session() as session:
        return expire_due(Ctx(session, None, settings))


async def _sweeper(db: Database, settings: Settings) -> None:
    interval = settings.expiry_sweep_interval.total_seconds()
    while True:
        await asyncio.sleep(interval)
        try:
            count = await anyio.to_thread.run_sync(sweep_once, db, settings)
            if count:
                log.info("expired %d proposal(s)", count)
        except Exception:  # keep sweeping; the next round retries
            log.exception("proposal expiry sweep failed")


def create_app(settings: Settings | None = None, *, announce: Callable[[str], None] = _announce) -> FastAPI:
    """Build the service. ``announce`` receives a newly generated admin token (printed once by default)."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        app.state.db = db
        try:
            await anyio.to_thread.run_sync(prepare_database, db, settings)
            token = await anyio.to_thread.run_sync(bootstrap_admin, db, settings)
            if token:
                announce(token)
            sweeper = asyncio.create_task(_sweeper(db, settings))
            webhooks = DeliveryWorker(db, settings) if settings.webhook_delivery else None
            if webhooks is not None:
                webhooks.start()
            try:
                yield
            finally:
                if webhooks is not None:
                    await webhooks.stop()
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
        finally:
            db.dispose()

    app = FastAPI(
        title="Tessera",
        version="0.1.0",
        summary="Coordinate schema changes between the teams that produce data and the teams that consume it.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    add_exception_handlers(app)
    for router in (
        health_router,
        teams_router,
        proposals_router,  # before assets: it owns /assets/{fqn}/gate
        assets_router,
        publishing_router,
        registrations_router,
        impact_router,
        audit_router,
        webhooks_router,
    ):
        app.include_router(router)
    return app
