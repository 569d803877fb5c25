"""I/O-free half of the client: request building, response parsing and error mapping.

``TesseraClient`` and ``AsyncTesseraClient`` only add the send path. Every operation is described once, as a
:class:`Call` built by a ``_<operation>_call`` method here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import pydantic
from pydantic import BaseModel, TypeAdapter

from tessera_core.client.errors import (
    ServiceUnavailableError,
    TesseraAPIError,
    ValidationError,
    error_class_for,
)
from tessera_core.models import (
    AcknowledgeRequest,
    ApiKey,
    Asset,
    AssetGate,
    AssetSet,
    AuditEvent,
    BulkPublishRequest,
    BulkPublishResult,
    BulkRegisterRequest,
    Contract,
    Decision,
    ForceRequest,
    Health,
    ImpactRequest,
    ImpactResult,
    KeyCreate,
    KeyCreated,
    Proposal,
    ProposalGate,
    PublishItem,
    PublishResult,
    Registration,
    RegistrationIn,
    Scope,
    Team,
    TeamCreate,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookUpdate,
)
from tessera_core.types import Mode, SchemaFormat

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT = 60.0
API = "/api/v1"
_GATE_CACHE_SIZE = 1024

PublishItemLike = PublishItem | Mapping[str, Any]
RegistrationLike = RegistrationIn | Mapping[str, Any]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP operation: what to send and how to read the answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _fqn_path(fqn: str) -> str:
    return quote(fqn, safe="")


def _clean(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in params.items() if v is not None}


def _model(model: type[M]) -> Callable[[httpx.Response], M]:
    return lambda response: model.model_validate(response.json())


def _models(model: type[M]) -> Callable[[httpx.Response], list[M]]:
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
    return lambda response: adapter.validate_python(response.json())


def _nothing(response: httpx.Response) -> None:
    return None


def _body(model: BaseModel) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _item(value: BaseModel | Mapping[str, Any], model: type[M]) -> M:
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except pydantic.ValidationError as exc:
        raise _local_error(exc) from exc


def make(model: type[M], **fields: Any) -> M:
    """Build a request model; bad arguments raise the client's ValidationError (nothing is sent)."""
    try:
        return model(**fields)
    except pydantic.ValidationError as exc:
        raise _local_error(exc) from exc


def _local_error(exc: pydantic.ValidationError) -> ValidationError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors()
    )
    return ValidationError(422, "invalid_request", f"invalid request (not sent): {problems}")


class BaseTesseraClient:
    """Configuration and request building shared by the sync and async clients (no I/O)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        user_agent: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.user_agent = user_agent or "tessera-client/0.1"
        self._gate_cache: dict[str, BaseModel] = {}

    def _default_headers(self) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    # ---- answers -------------------------------------------------------------------------------------

    def _unreachable(self, exc: Exception, call: Call[Any]) -> ServiceUnavailableError:
        url = f"{self.base_url}{call.path}"
        reason = str(exc) or type(exc).__name__
        return ServiceUnavailableError(
            503,
            "service_unreachable",
            f"could not reach Tessera at {url}: {reason}",
            {"url": url},
            url=url,
        )

    def _answer(self, call: Call[T], response: httpx.Response) -> T:
        if response.status_code >= 400:
            raise self._error(call, response)
        return call.parse(response)

    def _error(self, call: Call[Any], response: httpx.Response) -> TesseraAPIError:
        status = response.status_code
        code, message, details = f"http_{status}", response.reason_phrase or "error", {}
        try:
            error = response.json()["error"]
            code, message = str(error["code"]), str(error["message"])
            details = dict(error.get("details") or {})
        except (ValueError, KeyError, TypeError):
            text = response.text.strip()
            if text:
                message = f"{message}: {text[:300]}"
        cls = error_class_for(status)
        if cls is ServiceUnavailableError:
            url = f"{self.base_url}{call.path}"
            return ServiceUnavailableError(status, code, f"{message} (from {url})", details, url=url)
        return cls(status, code, message, details)

    # ---- gate reads with ETags ----------------------------------------------------------------------

    def _conditional(self, path: str, etag: str | None, model: type[M]) -> Call[M]:
        cached = self._gate_cache.get(path)
        headers: dict[str, str] = {}
        if etag and cached is not None and getattr(cached, "etag", None) == etag:
            headers["If-None-Match"] = f'"{etag}"'

        def parse(response: httpx.Response) -> M:
            if response.status_code == 304 and cached is not None:
                return model.model_validate(cached).model_copy(update={"not_modified": True})
            result = model.model_validate(response.json())
            if len(self._gate_cache) >= _GATE_CACHE_SIZE:
                self._gate_cache.pop(next(iter(self._gate_cache)))
            self._gate_cache[path] = result
            return result

        return Call("GET", path, parse, headers=headers)

    # ---- operations -------------------------------------------------------------------------------

    def _health_call(self) -> Call[Health]:
        return Call("GET", "/health/ready", _model(Health))

    def _create_team_call(self, name: str) -> Call[Team]:
        return Call("POST", f"{API}/teams", _model(Team), json=_body(make(TeamCreate, name=name)))

    def _list_teams_call(self) -> Call[list[Team]]:
        return Call("GET", f"{API}/teams", _models(Team))

    def _create_key_call(
        self,
        team: str,
        scopes: Sequence[Scope | str],
        name: str | None,
        expires_at: datetime | None,
    ) -> Call[KeyCreated]:
        body = make(KeyCreate, team=team, scopes=list(scopes), name=name, expires_at=expires_at)
        return Call("POST", f"{API}/keys", _model(KeyCreated), json=_body(body))

    def _list_keys_call(self, team: str | None) -> Call[list[ApiKey]]:
        return Call("GET", f"{API}/keys", _models(ApiKey), params=_clean({"team": team}))

    def _revoke_key_call(self, key_id: uuid.UUID | str) -> Call[ApiKey]:
        return Call("DELETE", f"{API}/keys/{key_id}", _model(ApiKey))

    def _get_asset_call(self, fqn: str) -> Call[Asset]:
        return Call("GET", f"{API}/assets/{_fqn_path(fqn)}", _model(Asset))

    def _list_assets_call(self, owner: str | None, limit: int, offset: int) -> Call[list[Asset]]:
        params = _clean({"owner": owner, "limit": limit, "offset": offset})
        return Call("GET", f"{API}/assets", _models(Asset), params=params)

    def _set_asset_call(self, fqn: str, body: AssetSet) -> Call[Asset]:
        return Call("PUT", f"{API}/assets/{_fqn_path(fqn)}", _model(Asset), json=_body(body))

    def _list_contracts_call(self, fqn: str) -> Call[list[Contract]]:
        return Call("GET", f"{API}/assets/{_fqn_path(fqn)}/contracts", _models(Contract))

    def _publish_call(
        self, item: PublishItem, *, dry_run: bool, idempotency_key: str | None
    ) -> Call[PublishResult]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        path = f"{API}/check" if dry_run else f"{API}/publish"
        return Call("POST", path, _model(PublishResult), json=_body(item), headers=headers)

    def _bulk_publish_call(
        self, items: Sequence[PublishItemLike], dry_run: bool, idempotency_key: str | None
    ) -> Call[BulkPublishResult]:
        body = make(BulkPublishRequest, items=[_item(i, PublishItem) for i in items], dry_run=dry_run)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return Call(
            "POST", f"{API}/publish/bulk", _model(BulkPublishResult), json=_body(body), headers=headers
        )

    def _register_call(self, item: RegistrationIn) -> Call[Registration]:
        return Call("POST", f"{API}/registrations", _model(Registration), json=_body(item))

    def _bulk_register_call(self, items: Sequence[RegistrationLike]) -> Call[list[Registration]]:
        body = make(BulkRegisterRequest, items=[_item(i, RegistrationIn) for i in items])
        return Call("POST", f"{API}/registrations/bulk", _models(Registration), json=_body(body))

    def _unregister_call(self, fqn: str, team: str | None, consumer_ref: str) -> Call[None]:
        params = _clean({"fqn": fqn, "team": team, "consumer_ref": consumer_ref})
        return Call("DELETE", f"{API}/registrations", _nothing, params=params)

    def _list_registrations_call(self, asset: str | None, team: str | None) -> Call[list[Registration]]:
        params = _clean({"asset": asset, "team": team})
        return Call("GET", f"{API}/registrations", _models(Registration), params=params)

    def _gate_call(self, fqn: str, etag: str | None) -> Call[AssetGate]:
        return self._conditional(f"{API}/assets/{_fqn_path(fqn)}/gate", etag, AssetGate)

    def _proposal_gate_call(self, proposal_id: uuid.UUID | str, etag: str | None) -> Call[ProposalGate]:
        return self._conditional(f"{API}/proposals/{proposal_id}/gate", etag, ProposalGate)

    def _list_proposals_call(
        self, awaiting: str | None, asset: str | None, status: str | None
    ) -> Call[list[Proposal]]:
        params = _clean({"awaiting": awaiting, "asset": asset, "status": status})
        return Call("GET", f"{API}/proposals", _models(Proposal), params=params)

    def _get_proposal_call(self, proposal_id: uuid.UUID | str) -> Call[Proposal]:
        return Call("GET", f"{API}/proposals/{proposal_id}", _model(Proposal))

    def _acknowledge_call(
        self,
        proposal_id: uuid.UUID | str,
        decision: Decision | str,
        note: str | None,
        migration_deadline: datetime | None,
    ) -> Call[Proposal]:
        body = make(AcknowledgeRequest, decision=decision, note=note, migration_deadline=migration_deadline)
        path = f"{API}/proposals/{proposal_id}/acknowledge"
        return Call("POST", path, _model(Proposal), json=_body(body))

    def _withdraw_call(self, proposal_id: uuid.UUID | str) -> Call[Proposal]:
        return Call("POST", f"{API}/proposals/{proposal_id}/withdraw", _model(Proposal))

    def _force_call(self, proposal_id: uuid.UUID | str, reason: str) -> Call[Proposal]:
        body = _body(make(ForceRequest, reason=reason))
        return Call("POST", f"{API}/proposals/{proposal_id}/force", _model(Proposal), json=body)

    def _impact_call(
        self, fqn: str, schema: Mapping[str, Any], format: SchemaFormat | str
    ) -> Call[ImpactResult]:
        body = make(ImpactRequest, fqn=fqn, schema=dict(schema), format=format)
        return Call("POST", f"{API}/impact", _model(ImpactResult), json=_body(body))

    def _audit_call(self, asset: str | None, limit: int) -> Call[list[AuditEvent]]:
        params = _clean({"asset": asset, "limit": limit})
        return Call("GET", f"{API}/audit", _models(AuditEvent), params=params)

    def _create_webhook_call(self, body: WebhookCreate) -> Call[WebhookCreated]:
        return Call("POST", f"{API}/webhooks", _model(WebhookCreated), json=_body(body))

    def _list_webhooks_call(self, team: str | None) -> Call[list[Webhook]]:
        return Call("GET", f"{API}/webhooks", _models(Webhook), params=_clean({"team": team}))

    def _get_webhook_call(self, webhook_id: uuid.UUID | str) -> Call[Webhook]:
        return Call("GET", f"{API}/webhooks/{webhook_id}", _model(Webhook))

    def _update_webhook_call(self, webhook_id: uuid.UUID | str, body: WebhookUpdate) -> Call[Webhook]:
        return Call("PATCH", f"{API}/webhooks/{webhook_id}", _model(Webhook), json=_body(body))

    def _delete_webhook_call(self, webhook_id: uuid.UUID | str) -> Call[None]:
        return Call("DELETE", f"{API}/webhooks/{webhook_id}", _nothing)

    def _list_deliveries_call(
        self, webhook_id: uuid.UUID | str, status: str | None, limit: int
    ) -> Call[list[WebhookDelivery]]:
        params = _clean({"status": status, "limit": limit})
        return Call("GET", f"{API}/webhooks/{webhook_id}/deliveries", _models(WebhookDelivery), params=params)

    def _retry_delivery_call(
        self, webhook_id: uuid.UUID | str, delivery_id: uuid.UUID | str
    ) -> Call[WebhookDelivery]:
        path = f"{API}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"
        return Call("POST", path, _model(WebhookDelivery))


def build_publish_item(
    fqn: str,
    schema: Mapping[str, Any],
    *,
    format: SchemaFormat | str = SchemaFormat.JSONSCHEMA,
    owner_team: str | None = None,
    mode: Mode | str | None = None,
    kind: str | None = None,
    description: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Sequence[str] | None = None,
    guarantees: Mapping[str, Any] | None = None,
    depends_on: Sequence[str] | None = None,
) -> PublishItem:
    """Build a :class:`PublishItem` from keyword arguments (validates locally)."""
    try:
        return _build_publish_item(
            fqn, schema, format, owner_team, mode, kind, description, metadata, tags, guarantees, depends_on
        )
    except (pydantic.ValidationError, ValueError) as exc:
        if isinstance(exc, pydantic.ValidationError):
            raise _local_error(exc) from exc
        raise ValidationError(422, "invalid_request", f"invalid request (not sent): {exc}") from exc


def _build_publish_item(
    fqn: str,
    schema: Mapping[str, Any],
    format: SchemaFormat | str,
    owner_team: str | None,
    mode: Mode | str | None,
    kind: str | None,
    description: str | None,
    metadata: Mapping[str, Any] | None,
    tags: Sequence[str] | None,
    guarantees: Mapping[str, Any] | None,
    depends_on: Sequence[str] | None,
) -> PublishItem:
    return PublishItem(
        fqn=fqn,
        schema=dict(schema),
        format=SchemaFormat(format),
        owner_team=owner_team,
        mode=Mode(mode) if mode is not None else None,
        kind=kind,
        description=description,
        metadata=dict(metadata) if metadata is not None else None,
        tags=list(tags) if tags is not None else None,
        guarantees=dict(guarantees) if guarantees is not None else None,
        depends_on=list(depends_on) if depends_on is not None else None,
    )
