"""Who and what a proposed schema would affect."""

from __future__ import annotations

from service.assets.repository import AssetRepository
from service.context import Ctx
from service.errors import NotFound
from service.impact.repository import consumer_teams, downstream
from service.proposals.service import affected_for, history_schemas
from service.publishing.engine import Verdict, canonicalize, judge
from service.registrations.repository import RegistrationRepository
from service.teams.repository import TeamRepository
from tessera_core.models import ChangeInfo, DownstreamAsset, ImpactRequest, ImpactResult
from tessera_core.types import Bump


def impact(ctx: Ctx, request: ImpactRequest) -> ImpactResult:
    """Direct consumers affected (column-aware) and every asset and team downstream through lineage.

    Column-aware beyond the first hop where we can be: a downstream asset whose owner team registered on
    the changed asset with columns the change does not touch is not walked.
    """
    repo = AssetRepository(ctx.session)
    asset = repo.get(request.fqn)
    if asset is None:
        raise NotFound(f"asset '{request.fqn}' does not exist", fqn=request.fqn)
    schema = canonicalize(request.schema_, request.format)
    active = repo.active_contract(asset.id)
    verdict = (
        judge(asset.mode, history_schemas(ctx, asset, active), schema)
        if active is not None
        else Verdict(breaking=False, changes=[], bump=Bump.MAJOR)
    )
    affected = affected_for(ctx, asset, active, verdict)
    unaffected_teams = {
        c.team_id
        for c in RegistrationRepository(ctx.session).consumers(asset.id)
        if c.team_id not in affected
    } - {asset.owner_team_id}
    first_hop_skip = []
    if verdict.breaking and unaffected_teams:
        rows = downstream(ctx.session, asset.id, max_depth=1)
        first_hop_skip = [r[0] for r in rows if r[3] in unaffected_teams]
    walked = downstream(ctx.session, asset.id, max_depth=request.max_depth, exclude_first_hop=first_hop_skip)
    owners = TeamRepository(ctx.session).names(r[3] for r in walked)
    teams: set[str] = set()
    if verdict.breaking:
        teams = {a.team_name for a in affected.values()}
        teams |= {owners[r[3]] for r in walked if r[3] in owners}
        teams |= consumer_teams(ctx.session, [r[0] for r in walked])
    return ImpactResult(
        fqn=asset.fqn,
        breaking=verdict.breaking,
        changes=[ChangeInfo.model_validate(c) for c in verdict.changes],
        affected_teams=sorted(a.team_name for a in affected.values()),
        # built without re-validation: thousands of rows straight from the database
        downstream=[
            DownstreamAsset.model_construct(
                fqn=r[1], depth=r[2], owner_team=owners.get(r[3]) if r[3] else None
            )
            for r in walked
        ],
        teams=sorted(teams),
    )
