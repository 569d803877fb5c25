"""The proposal state machine as a table: (status, event) -> next status.

::

    open    --block-->     blocked      blocked --unblock--> open
    open|blocked --approve-->   published   (every affected consumer consented, or none is left)
    open|blocked --supersede--> superseded  (the producer published a different breaking schema)
    open|blocked --withdraw-->  withdrawn
    open|blocked --expire-->    expired
    open|blocked --force-->     forced      (admin, with a reason)

Everything else is an invalid transition (409).
"""

from __future__ import annotations

from enum import StrEnum

from service.errors import Conflict
from tessera_core.models import ProposalStatus

_OPEN, _BLOCKED = ProposalStatus.OPEN, ProposalStatus.BLOCKED


class Event(StrEnum):
    """What can happen to a proposal."""

    BLOCK = "block"
    UNBLOCK = "unblock"
    APPROVE = "approve"
    SUPERSEDE = "supersede"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    FORCE = "force"


TRANSITIONS: dict[tuple[ProposalStatus, Event], ProposalStatus] = {
    (_OPEN, Event.BLOCK): _BLOCKED,
    (_BLOCKED, Event.UNBLOCK): _OPEN,
    **{(s, Event.APPROVE): ProposalStatus.PUBLISHED for s in (_OPEN, _BLOCKED)},
    **{(s, Event.SUPERSEDE): ProposalStatus.SUPERSEDED for s in (_OPEN, _BLOCKED)},
    **{(s, Event.WITHDRAW): ProposalStatus.WITHDRAWN for s in (_OPEN, _BLOCKED)},
    **{(s, Event.EXPIRE): ProposalStatus.EXPIRED for s in (_OPEN, _BLOCKED)},
    **{(s, Event.FORCE): ProposalStatus.FORCED for s in (_OPEN, _BLOCKED)},
}

AUDIT_ACTION: dict[Event, str] = {
    Event.BLOCK: "proposal.blocked",
    Event.UNBLOCK: "proposal.unblocked",
    Event.APPROVE: "proposal.published",
    Event.SUPERSEDE: "proposal.superseded",
    Event.WITHDRAW: "proposal.withdrawn",
    Event.EXPIRE: "proposal.expired",
    Event.FORCE: "proposal.forced",
}
"""The audit action (and outbox event type) of each event."""


def transition(current: ProposalStatus | str, event: Event) -> ProposalStatus:
    """The status after ``event``; 409 when the proposal cannot take it (e.g. it is already final)."""
    status = ProposalStatus(current)
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise Conflict(
            f"cannot {event} a proposal that is {status}", code="invalid_transition", status=str(status)
        ) from None
