"""The delivery worker: an asyncio task in the service's lifespan (one per replica).

Each round: a cheap read asks whether anything is to do; if so, committed outbox events are dispatched
into deliveries, and due deliveries are claimed and sent concurrently (at most
``TESSERA_WEBHOOK_CONCURRENCY`` in flight, each bounded by ``TESSERA_WEBHOOK_TIMEOUT``), so a slow
receiver holds one slot for one timeout, never the others. Database work runs in worker threads; the HTTP
requests on the event loop. All state is in the database: a restarted service simply carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import anyio.to_thread
import httpx
from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from service.db import Database
from service.settings import Settings
from service.webhooks.delivery import Job, claim_due, has_work, record_outcome
from service.webhooks.dispatch import BATCH_SIZE, dispatch_in
from service.webhooks.signing import signed_headers

log = logging.getLogger("tessera.webhooks")

DATABASE_THREADS = 4
"""Worker threads the delivery worker may use at once for database work (its own limiter, so it never takes
the threads that serve requests)."""


async def send(client: httpx.AsyncClient, job: Job, timeout: float) -> tuple[int | None, str | None]:
    """POST one attempt; (status code, error) where error None means delivered (a 2xx answer)."""
    headers = signed_headers(
        secret=job.secret,
        body=job.body,
        event_type=job.event_type,
        delivery_id=str(job.delivery_id),
        attempt=job.attempt,
    )
    try:
        async with asyncio.timeout(timeout):
            # the answer's body is never read or stored: a subscription must not become a way to read
            # what some internal URL answers
            async with client.stream("POST", job.url, content=job.body, headers=headers) as response:
                if 200 <= response.status_code < 300:
                    return response.status_code, None
                return response.status_code, f"HTTP {response.status_code} {response.reason_phrase}".strip()
    except TimeoutError:
        return None, f"no answer within {timeout:g} s"
    except Exception as exc:  # connection errors, TLS, a URL the HTTP client refuses: a failed attempt
        return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class DeliveryWorker:
    """Dispatches and delivers webhook events until stopped. ``transport`` is for embedding only."""

    def __init__(
        self, db: Database, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self._transport = transport
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threads: anyio.CapacityLimiter | None = None

    def start(self) -> None:
        """Start the loop on the running event loop; commits of this process wake it at once."""
        self._loop = asyncio.get_running_loop()
        self._threads = anyio.CapacityLimiter(DATABASE_THREADS)
        event.listen(Session, "after_commit", self._on_commit)
        self._task = asyncio.create_task(self._run(), name="tessera-webhooks")

    def _on_commit(self, session: Session) -> None:
        """A write transaction on this service's database committed (maybe with outbox events): look now,
        not at the next poll. Runs in the committing thread; other replicas' commits are seen by polling."""
        if self._loop is not None and session.bind is self.db.write_engine:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        """Stop claiming; let attempts in flight finish within one timeout, then cancel the rest (their
        deliveries are retried when their lease ends)."""
        self._stopping = True
        with contextlib.suppress(InvalidRequestError):
            event.remove(Session, "after_commit", self._on_commit)
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        timeout = self.settings.webhook_timeout.total_seconds()
        limits = httpx.Limits(max_connections=self.settings.webhook_concurrency * 2)
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, limits=limits, transport=self._transport
        ) as client:
            while not self._stopping:
                self._wake.clear()  # a commit during the round wakes the next one at once
                more = False
                try:
                    more = await self._round(client)
                except Exception:  # the database may be briefly unavailable: try again next round
                    log.exception("webhook delivery round failed")
                if not more and not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.settings.webhook_poll_interval.total_seconds()):
                            await self._wake.wait()
            await self._drain(timeout + 1)  # before the client closes

    async def _drain(self, grace: float) -> None:
        """Let attempts in flight finish within ``grace`` seconds; cancel the rest (nothing is recorded for
        them, so they are tried again when their lease ends)."""
        if not self._inflight:
            return
        _, pending = await asyncio.wait(set(self._inflight), timeout=grace)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _round(self, client: httpx.AsyncClient) -> bool:
        """One round; True when more work is known to be waiting."""
        undispatched, due = await anyio.to_thread.run_sync(self._has_work, limiter=self._threads)
        dispatched = 0
        if undispatched:
            dispatched = await anyio.to_thread.run_sync(self._dispatch, limiter=self._threads)
            due = due or dispatched > 0
        free = self.settings.webhook_concurrency - len(self._inflight)
        if due and free > 0 and not self._stopping:
            for job in await anyio.to_thread.run_sync(self._claim, free, limiter=self._threads):
                task = asyncio.create_task(self._deliver(client, job))
                self._inflight.add(task)
                task.add_done_callback(self._done)
        return dispatched >= BATCH_SIZE

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()  # a slot is free

    def _has_work(self) -> tuple[bool, bool]:
        with self.db.session(write=False) as session:
            return has_work(session)

    def _dispatch(self) -> int:
        with self.db.session() as session:
            return dispatch_in(session)

    def _claim(self, limit: int) -> list[Job]:
        with self.db.session() as session:
            return claim_due(session, self.settings, limit)

    def _record(self, job: Job, status_code: int | None, error: str | None) -> None:
        with self.db.session() as session:
            status = record_outcome(session, self.settings, job, status_code, error)
        if error is not None:
            log.warning(
                "webhook %s delivery %s attempt %d: %s (now %s)",
                job.webhook_id,
                job.delivery_id,
                job.attempt,
                error,
                status,
            )

    async def _deliver(self, client: httpx.AsyncClient, job: Job) -> None:
        try:
            status_code, error = await send(client, job, self.settings.webhook_timeout.total_seconds())
            await anyio.to_thread.run_sync(self._record, job, status_code, error, limiter=self._threads)
        except Exception:  # the lease expires and the delivery is tried again
            log.exception("webhook delivery %s: could not record the outcome", job.delivery_id)
